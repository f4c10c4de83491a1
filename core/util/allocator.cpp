#include "core/util/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace sinsr {

void keep_freed_memory() {
  if (const char* v = std::getenv("SINSR_MALLOC"); v && std::strcmp(v, "glibc") == 0) return;
  // Large blocks come from the heap instead of fresh mmaps (which are unmapped again on free), and the
  // heap is never trimmed: freed pages stay mapped and are reused by the next allocation of that size.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace sinsr
