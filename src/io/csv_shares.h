// A CSV file read by several ranks together (`mpirun -np K mizani
// estimate`, docs/distributed.md): each rank parses its share of the
// records, and every rank assembles the whole table from the shares.
#pragma once

#include <optional>

#include "io/csv_chunk.h"
#include "mizani/communicator.h"
#include "mizani/table.h"

namespace mizani::io {

// Records in [begin, end) (after the header) are cut into comm.size()
// shares at record boundaries, the same on every rank; this rank parses
// its share on `num_threads` threads, and the columns are all-gathered in
// rank order, so the table equals the one a single process reads: the same
// values, text levels in the same order (first appearance in the file), a
// column text on every rank when any share found text in it. nullopt on
// every rank alike when any share did not parse cleanly (a malformed record,
// or a cut inside a quoted field): the caller then reads the whole file on
// every rank, which reports the first error with its row and line exactly.
// A collective: every rank calls it with the same file.
// With `keep_share` nothing but the text levels is gathered: each rank
// returns its own share's records (Table::is_share, share_first_row), the
// text levels those of the whole file in the single-process order and the
// codes numbered in them, so a code means the same level on every rank.
std::optional<Table> ReadCsvShares(const char* begin, const char* end, const Layout& layout,
                                   size_t num_threads, Communicator& comm, bool keep_share = false);

}  // namespace mizani::io
