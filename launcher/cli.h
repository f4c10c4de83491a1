// The `sinsr` command framework: git-style subcommands, each with its own flags, the config keys of the
// sections it reads (`--section.key=value`), --config FILE, --print-config and --help.
#pragma once
#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/util/config.h"

namespace sinsr::cli {

namespace po = boost::program_options;

struct Invocation {
  po::variables_map args;  // the command's own flags and positionals
  Config config;           // defaults <- --config file <- --section.key overrides
  int threads = 0;         // with Command::threads_flag: the intra-op thread count now in use
};

struct Command {
  Command(std::string name, std::string summary, std::string usage, std::string description)
      : name(std::move(name)),
        summary(std::move(summary)),
        usage(std::move(usage)),
        description(std::move(description)) {}

  std::string name;
  std::string summary;                // one line for `sinsr --help`
  std::string usage;                  // e.g. "sinsr inspect [options] FILE.pth"
  std::string description;            // what it does, for `sinsr <name> --help`
  std::vector<std::string> sections;  // config sections the command reads (empty: none)
  std::string default_config;         // the config file read when --config is not given ("": the defaults)
  bool threads_flag = false;          // --threads N: the intra-op thread count, applied before `run`
  std::function<void(po::options_description&, po::positional_options_description&)> declare;
  std::function<int(const Invocation&)> run;
};

// Makes `c` a command whose flags fill an `Options` struct: `declare` binds each flag to its field
// (po::value(&options.field)), so a flag is written once with its help and the field it fills, and `run`
// receives the struct filled after --help, --print-config and the required-flag check. One process runs one
// command, so each command owns one struct.
template <class Options>
void bind_options(Command& c, void (*declare)(po::options_description&, po::positional_options_description&, Options&),
                  int (*run)(Options&, const Invocation&)) {
  auto options = std::make_shared<Options>();
  c.declare = [options, declare](po::options_description& o, po::positional_options_description& p) {
    declare(o, p, *options);
  };
  c.run = [options, run](const Invocation& inv) { return run(*options, inv); };
}

// All commands (launcher/main.cpp).
const std::vector<Command>& commands();

// Parses argv (argv[0] = command name), handles --help / --print-config, loads the config and runs.
// Returns the exit code; errors are printed as one line.
int run_command(const Command& cmd, int argc, char** argv);

}  // namespace sinsr::cli
