// Running the sinsr binary (or any command) from a test and capturing what it printed.
#pragma once
#include <string>

namespace sinsr::test {

struct RunResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

RunResult run_command(const std::string& command_line);
// The sinsr binary under test: $SINSR_BIN (set by CMake for ctest), else build/sinsr.
std::string sinsr_binary();

}  // namespace sinsr::test
