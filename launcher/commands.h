// One factory per subcommand; each lives in its own cmd_<name>.cpp.
#pragma once
#include "launcher/cli.h"

namespace sinsr::cli {

Command datagen_command();
Command datagen_verify_command();
Command degrade_command();
Command demo_command();
Command eval_command();
Command infer_command();
Command inspect_command();
Command sweep_report_command();
Command train_command();
Command train_teacher_command();

}  // namespace sinsr::cli
