// `sinsr <command> [options]`: dispatch only. Each command parses its own options (launcher/cli.cpp).
#include <cstring>
#include <iostream>

#include "core/util/allocator.h"
#include "core/util/errors.h"
#include "core/util/threads.h"
#include "launcher/commands.h"

namespace sinsr::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      infer_command(),         degrade_command(), datagen_command(), datagen_verify_command(), train_command(),
      train_teacher_command(), eval_command(),    inspect_command(), sweep_report_command(),   demo_command()};
  return kCommands;
}

}  // namespace sinsr::cli

namespace {

void print_overview() {
  std::cout << "usage: sinsr <command> [options]   (sinsr <command> --help for its options)\n\n"
               "SinSR single-step diffusion super-resolution: teacher pair generation, distillation,\n"
               "evaluation and inference.\n\ncommands:\n";
  for (const auto& c : sinsr::cli::commands())
    std::cout << "  " << c.name << std::string(16 - std::min<size_t>(15, c.name.size()), ' ') << c.summary << "\n";
  std::cout << "\nenvironment: SINSR_THREADS (intra-op threads per process), SINSR_PARITY_DIR (parity fixtures)\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sinsr::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    if (argc >= 3 && !std::strcmp(argv[1], "help")) {
      char* help_argv[] = {argv[2], const_cast<char*>("--help")};
      for (const auto& c : commands())
        if (c.name == argv[2]) return run_command(c, 2, help_argv);
    }
    print_overview();
    return argc < 2 ? sinsr::kExitUsage : sinsr::kExitOk;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "sinsr " << SINSR_VERSION << "\n";
    return sinsr::kExitOk;
  }
  sinsr::keep_freed_memory();
  try {
    sinsr::configure_threads();
  } catch (const sinsr::UsageError& e) {
    std::cerr << "sinsr: error: " << e.what() << "\n";
    return sinsr::kExitUsage;
  }
  const std::string name = argv[1];
  std::string closest;
  size_t best = SIZE_MAX;
  for (const auto& c : commands()) {
    if (c.name == name) return run_command(c, argc - 1, argv + 1);
    size_t d = sinsr::edit_distance(name, c.name);
    if (d < best) best = d, closest = c.name;
  }
  std::cerr << "sinsr: unknown command '" << name << "'; did you mean '" << closest << "'? (sinsr --help lists them)\n";
  return sinsr::kExitUsage;
}
