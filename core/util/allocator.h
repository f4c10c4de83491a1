// glibc's malloc hands large freed blocks back to the kernel (munmap of mmap-ed chunks, trimming the heap
// top), so every training step or tile pays page faults again for the same tensors. On VMs that report
// free pages to the host this costs more than the arithmetic: measured on the 2-core CI VM, a full-size
// UNet forward+backward at batch 6 takes 16-32 s with glibc's defaults and 10 s when freed memory is kept
// (bench_networks --only step). The processes here are long-lived and reuse the same sizes, so keeping
// the peak is the right trade (what jemalloc/tcmalloc do for PyTorch, without another dependency).
#pragma once

namespace sinsr {

// Call once at the start of main, before any thread starts. SINSR_MALLOC=glibc keeps glibc's defaults (a
// smaller footprint between peaks, e.g. next to other jobs on a shared node).
void keep_freed_memory();

}  // namespace sinsr
