// Returning freed memory to the system in the middle of a large job.
#pragma once

namespace mizani {

// Hands the pages of freed heap memory back to the system (glibc:
// malloc_trim), so that arrays freed by one stage count no longer in the
// resident memory of the next. glibc serves allocations below its mmap
// threshold from the heap, and raises that threshold (up to 32 MiB) after a
// large block is freed: a host that has freed large arrays before (pandas
// reading a file) then keeps every freed 20 MB array of the model frame
// resident until the heap is trimmed. A no-op on other C libraries.
void ReturnFreedMemory();

}  // namespace mizani
