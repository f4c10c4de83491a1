// The requeue marker: a run that stopped on SIGTERM/SIGUSR1 (exit 75) leaves DIR/STOPPED, and a run that
// starts removes it. Every rank exits 75, but mpirun reports 1 for that; the marker says "stopped cleanly,
// rerun to resume" whatever the launcher (slurm/common.sh reads it; README, "Errors and exit codes").
#pragma once
#include <string>

namespace sinsr {

inline constexpr const char* kStopMarkerName = "STOPPED";

// Root only. `what` is one line for whoever finds the file ("train: checkpointed step 12").
void write_stop_marker(const std::string& dir, const std::string& what);
void clear_stop_marker(const std::string& dir);

}  // namespace sinsr
