// Intra-op thread count per process (docs/architecture.md §3): SINSR_THREADS, else the machine's cores divided by the
// number of ranks on this node, so that co-located MPI ranks do not oversubscribe the cores.
#pragma once

namespace sinsr {

// Ranks sharing this node, from the launcher's environment (Open MPI, PMIx, Slurm); 1 when not launched.
int local_rank_count();
// Applies and returns the thread count (torch intra-op threads).
int configure_threads();
// Sets an explicit count (e.g. a command's --threads flag); <= 0 means the default above.
int set_threads(int threads);

}  // namespace sinsr
