// The `sinsr` command framework: git-style subcommands, each with its own flags, the config keys of the
// sections it reads (`--section.key=value`), --config FILE, --print-config and --help.
#pragma once
#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/util/config.h"

namespace sinsr::cli {

namespace po = boost::program_options;

struct Invocation {
  po::variables_map args;  // the command's own flags and positionals
  Config config;           // defaults <- --config file <- --section.key overrides
};

struct Command {
  std::string name;
  std::string summary;                // one line for `sinsr --help`
  std::string usage;                  // e.g. "sinsr inspect [options] FILE.pth"
  std::string description;            // what it does, for `sinsr <name> --help`
  std::vector<std::string> sections;  // config sections the command reads (empty: none)
  std::string default_config;         // the config file read when --config is not given ("": the defaults)
  std::function<void(po::options_description&, po::positional_options_description&)> declare;
  std::function<int(const Invocation&)> run;
};

// All commands (launcher/main.cpp).
const std::vector<Command>& commands();

// Parses argv (argv[0] = command name), handles --help / --print-config, loads the config and runs.
// Returns the exit code; errors are printed as one line.
int run_command(const Command& cmd, int argc, char** argv);

}  // namespace sinsr::cli
