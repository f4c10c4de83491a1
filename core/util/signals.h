// Stop requests: SIGTERM (Slurm before preemption or at the time limit) and SIGUSR1 (`--signal=USR1@T`)
// only set a flag; long loops check it between steps, checkpoint and exit with code 75 (requeue me).
#pragma once

namespace sinsr {

void install_stop_signal_handlers();
bool stop_requested();
int stop_signal();  // the signal that asked, 0 if none

}  // namespace sinsr
