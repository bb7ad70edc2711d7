// Values as bytes between the ranks of one job: the same program on every
// rank, so trivially copyable values travel bit for bit, in this machine's
// representation (the share reader, --by's row routing and its results).
// Reading back stays with each format, which checks its own lengths.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

namespace mizani {

// Appends `count` values from `values` to `out`, bit for bit.
template <class T>
void AppendBytes(std::string& out, const T* values, size_t count) {
  static_assert(std::is_trivially_copyable_v<T>, "only plain values travel as bytes");
  out.append(reinterpret_cast<const char*>(values), count * sizeof(T));
}

// Appends one value.
template <class T>
void AppendBytes(std::string& out, const T& value) {
  AppendBytes(out, &value, 1);
}

}  // namespace mizani
