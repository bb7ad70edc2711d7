// The CSV scanning kernels: one record at a time (ScanRecord, exact, with
// the messages' line numbers) and 64 bytes at a time into bitmasks of
// separators and quotes (ClassifyBlock, SSE2 where available), from which the
// chunk parser (csv_chunk.h) finds field boundaries without a branch per byte.
// Header-only so that they inline into the parse loops.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "data/text.h"

namespace mizani::io {

struct Field {
  std::string_view text;  // without the surrounding quotes
  bool quoted = false;
  bool escaped = false;  // holds "" pairs that stand for one quote
};

enum class RecordStatus { kOk, kUnterminatedQuote, kTextAfterQuote };

struct RecordInfo {
  int num_fields = 0;
  int64_t quoted_newlines = 0;  // line breaks inside quoted fields
  int bad_field = -1;           // field index of a quoting error
};

// Moves past blank lines, counting them; false at the end of the input.
inline bool SkipBlankLines(const char*& cursor, const char* end, int64_t* line) {
  while (cursor < end && (*cursor == '\n' || *cursor == '\r')) {
    if (*cursor == '\r' && cursor + 1 < end && cursor[1] == '\n') ++cursor;
    ++cursor;
    ++*line;
  }
  return cursor < end;
}

// First delimiter, '\n' or '\r' at or after `cursor` (or `end`). Tests eight
// bytes at a time: a byte equal to c is a zero byte of word ^ (c * 0x01..01),
// and (w - 0x01..01) & ~w & 0x80..80 flags zero bytes, the lowest one exactly.
inline const char* FindFieldEnd(const char* cursor, const char* end, char delimiter) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t delimiters = kOnes * static_cast<unsigned char>(delimiter);
  constexpr uint64_t kNewlines = kOnes * '\n';
  constexpr uint64_t kReturns = kOnes * '\r';
  // The lowest flag is exact only counted from the least significant byte,
  // which is the first in memory on little-endian machines only.
  while (std::endian::native == std::endian::little && end - cursor >= 8) {
    uint64_t word;
    std::memcpy(&word, cursor, 8);
    uint64_t with_delimiter = word ^ delimiters;
    uint64_t with_newline = word ^ kNewlines;
    uint64_t with_return = word ^ kReturns;
    uint64_t flags = ((with_delimiter - kOnes) & ~with_delimiter) |
                     ((with_newline - kOnes) & ~with_newline) |
                     ((with_return - kOnes) & ~with_return);
    flags &= kHighs;
    if (flags != 0) return cursor + std::countr_zero(flags) / 8;
    cursor += 8;
  }
  while (cursor < end && *cursor != delimiter && *cursor != '\n' && *cursor != '\r') ++cursor;
  return cursor;
}

// Scans one record starting at `cursor` and calls on_field(index, field) for
// each field. Leaves `cursor` after the record's line break.
template <class OnField>
RecordStatus ScanRecord(const char*& cursor, const char* end, char delimiter, OnField&& on_field,
                        RecordInfo* info) {
  *info = RecordInfo{};
  while (true) {
    Field field;
    if (cursor < end && *cursor == '"') {
      const char* text_begin = ++cursor;
      while (true) {
        const void* found = std::memchr(cursor, '"', static_cast<size_t>(end - cursor));
        if (found == nullptr) {
          info->bad_field = info->num_fields;
          return RecordStatus::kUnterminatedQuote;
        }
        const char* quote = static_cast<const char*>(found);
        if (quote + 1 < end && quote[1] == '"') {
          field.escaped = true;
          cursor = quote + 2;
          continue;
        }
        field.text = std::string_view(text_begin, static_cast<size_t>(quote - text_begin));
        cursor = quote + 1;
        break;
      }
      field.quoted = true;
      info->quoted_newlines += std::count(field.text.begin(), field.text.end(), '\n');
    } else {
      const char* text_begin = cursor;
      cursor = FindFieldEnd(cursor, end, delimiter);
      field.text = std::string_view(text_begin, static_cast<size_t>(cursor - text_begin));
    }
    on_field(info->num_fields, field);
    ++info->num_fields;
    if (cursor >= end) return RecordStatus::kOk;
    char next = *cursor;
    if (next == delimiter) {
      ++cursor;
      continue;
    }
    if (next == '\n') {
      ++cursor;
      return RecordStatus::kOk;
    }
    if (next == '\r') {
      ++cursor;
      if (cursor < end && *cursor == '\n') ++cursor;
      return RecordStatus::kOk;
    }
    info->bad_field = info->num_fields - 1;
    return RecordStatus::kTextAfterQuote;
  }
}

inline std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t char_idx = 0; char_idx < text.size(); ++char_idx) {
    out.push_back(text[char_idx]);
    if (text[char_idx] == '"' && char_idx + 1 < text.size() && text[char_idx + 1] == '"') {
      ++char_idx;
    }
  }
  return out;
}

inline bool IsMissingField(const Field& field) {
  return field.text.empty() || (!field.quoted && data::IsMissingToken(field.text));
}

// The block scanner: bit i of each mask describes byte i of a 64-byte block.
inline constexpr size_t kBlockBytes = 64;

struct BlockMasks {
  uint64_t separators = 0;  // delimiter, '\n' or '\r', inside quotes or not
  uint64_t quotes = 0;
};

#if defined(__SSE2__)
// The 16 flags of one comparison as bits, placed at `shift`.
inline uint64_t MaskBits(__m128i flags, int shift) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(flags))) << shift;
}
#endif

inline BlockMasks ClassifyBlock(const char* block, char delimiter) {
  BlockMasks masks;
#if defined(__SSE2__)
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i newlines = _mm_set1_epi8('\n');
  const __m128i returns = _mm_set1_epi8('\r');
  const __m128i quotes = _mm_set1_epi8('"');
  for (int part_idx = 0; part_idx < 4; ++part_idx) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * part_idx));
    __m128i separators =
        _mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, newlines), _mm_cmpeq_epi8(bytes, returns)));
    masks.separators |= MaskBits(separators, 16 * part_idx);
    masks.quotes |= MaskBits(_mm_cmpeq_epi8(bytes, quotes), 16 * part_idx);
  }
#else
  for (size_t byte_idx = 0; byte_idx < kBlockBytes; ++byte_idx) {
    char symbol = block[byte_idx];
    uint64_t bit = uint64_t{1} << byte_idx;
    if (symbol == delimiter || symbol == '\n' || symbol == '\r') masks.separators |= bit;
    if (symbol == '"') masks.quotes |= bit;
  }
#endif
  return masks;
}

// Bit i of the result is the parity of the set bits 0..i: with `bits` the
// quotes of a block, the bytes inside quotes (counting an opening quote, not
// a closing one). A "" escape closes and reopens, which leaves the text
// inside as it should.
inline uint64_t PrefixXor(uint64_t bits) {
  for (int shift = 1; shift < 64; shift *= 2) bits ^= bits << shift;
  return bits;
}

}  // namespace mizani::io
