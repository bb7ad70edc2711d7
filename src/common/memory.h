// Returning freed memory to the system in the middle of a large job.
#pragma once

#include <cstddef>
#include <vector>

namespace mizani {

// Hands the pages of freed heap memory back to the system (glibc:
// malloc_trim), so that arrays freed by one stage count no longer in the
// resident memory of the next. glibc serves allocations below its mmap
// threshold from the heap, and raises that threshold (up to 32 MiB) after a
// large block is freed: a host that has freed large arrays before (pandas
// reading a file) then keeps every freed 20 MB array of the model frame
// resident until the heap is trimmed. A no-op on other C libraries.
void ReturnFreedMemory();

// Gives the whole pages of [begin, end) back to the system (Linux:
// madvise MADV_DONTNEED; they read as zeros if touched again); a no-op
// elsewhere and for less than min_bytes. For the unused capacity of an
// array that shrank in place: its values there are never read, but the
// pages stay resident until the array is freed.
void ReturnPages(void* begin, void* end, size_t min_bytes);

// The pages past a vector's size, within its capacity (ReturnPages), where
// they are at least 1 MiB. Rows dropped from the model frame in place left
// its arrays at the table's length: 22 MiB resident and never read through
// the seventh benchmark process's three-way fit (session 30).
template <typename T>
void ReturnUnusedCapacity(std::vector<T>& values) {
  constexpr size_t kMinBytes = size_t{1} << 20;
  ReturnPages(values.data() + values.size(), values.data() + values.capacity(), kMinBytes);
}

}  // namespace mizani
