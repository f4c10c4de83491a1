#include "launcher/cli.h"
#include "core/util/config_file.h"

#include <iostream>

#include "core/dist/device.h"
#include "core/util/error_text.h"
#include "core/util/errors.h"
#include "core/util/threads.h"

namespace sinsr::cli {

namespace {

bool in_sections(const ConfigKey& k, const Command& cmd) {
  return std::find(cmd.sections.begin(), cmd.sections.end(), k.section) != cmd.sections.end();
}

po::options_description common_options() {
  po::options_description o("Common options", 110, 55);
  o.add_options()("help,h", "show this help and exit")("config", po::value<std::string>()->value_name("FILE"),
                                                       "INI file with [section] key = value lines")(
      "print-config", "print the merged configuration and exit");
  return o;
}

// Config keys of the command's sections; with_defaults only changes what --help prints.
po::options_description config_options(const Command& cmd, bool with_defaults) {
  po::options_description o("Config keys (--section.key=value overrides the file; default shown)", 110, 55);
  for (const ConfigKey& k : config_schema()) {
    if (!in_sections(k, cmd)) continue;
    auto* v = po::value<std::string>()->value_name("V");
    if (with_defaults) v->default_value(k.default_value, k.default_value.empty() ? "\"\"" : k.default_value);
    const std::string allowed = k.rule.describe();
    o.add_options()(k.dotted().c_str(), v, (k.help + (allowed.empty() ? "" : " [" + allowed + "]")).c_str());
  }
  return o;
}

void print_help(const Command& cmd, const po::options_description& own) {
  std::cout << "usage: " << cmd.usage << "\n\n" << cmd.description << "\n\n" << own << "\n" << common_options();
  if (!cmd.sections.empty()) std::cout << "\n" << config_options(cmd, true);
}

// Every spelling the command line accepts, for "did you mean".
std::string closest_option(const std::string& given, const Command& cmd, const po::options_description& own) {
  std::string best;
  size_t best_d = SIZE_MAX;
  auto consider = [&](const std::string& name) {
    size_t d = edit_distance(given, name);
    if (d < best_d) best_d = d, best = name;
  };
  for (const auto& opt : own.options()) consider(opt->long_name());
  const po::options_description common = common_options();
  for (const auto& opt : common.options()) consider(opt->long_name());
  // A dotted name is a config key: suggest the closest key (within its section when the section exists).
  if (given.find('.') != std::string::npos) return closest_config_key(given);
  return best;
}

std::string sections_text(const Command& cmd) {
  if (cmd.sections.empty()) return "no config sections";
  std::string s;
  for (const auto& sec : cmd.sections) s += (s.empty() ? "[" : ", [") + sec + "]";
  return s;
}

std::string strip_dashes(std::string s) {
  while (!s.empty() && s.front() == '-') s.erase(0, 1);
  return s.substr(0, s.find('='));
}

}  // namespace

int run_command(const Command& cmd, int argc, char** argv) {
  const std::string prog = "sinsr " + cmd.name;
  try {
    po::options_description own("Options", 110, 55);
    po::positional_options_description positional;
    if (cmd.declare) cmd.declare(own, positional);
    if (cmd.threads_flag)
      own.add_options()("threads", po::value<int>()->default_value(0),
                        "intra-op threads (0 = SINSR_THREADS or all cores)");
    po::options_description all;
    all.add(own).add(common_options()).add(config_options(cmd, false));

    po::variables_map vm;
    try {
      po::store(po::command_line_parser(argc, argv)
                    .options(all)
                    .positional(positional)
                    // no abbreviations: "--fil" must not silently mean "--file"
                    .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                    .run(),
                vm);
      if (vm.count("help")) {
        print_help(cmd, own);
        return kExitOk;
      }
    } catch (const po::unknown_option& e) {
      const std::string given = strip_dashes(e.get_option_name());
      if (find_config_key(given))
        throw UsageError("config key '" + given + "' is not used by '" + cmd.name + "' (it reads " +
                         sections_text(cmd) + ")");
      throw UsageError("unknown option '--" + given + "'; did you mean '--" + closest_option(given, cmd, own) + "'? (" +
                       prog + " --help lists them)");
    } catch (const po::error& e) {
      throw UsageError(std::string(e.what()) + " (" + prog + " --help)");
    }
    Config::Overrides overrides;
    for (const ConfigKey& k : config_schema())
      if (in_sections(k, cmd) && vm.count(k.dotted()))
        overrides.emplace_back(k.dotted(), vm[k.dotted()].as<std::string>());
    Invocation inv{vm,
                   load_config(vm.count("config") ? vm["config"].as<std::string>() : cmd.default_config, overrides)};
    if (vm.count("print-config")) {
      std::cout << inv.config.to_ini(cmd.sections);
      return kExitOk;
    }
    try {
      po::notify(vm);  // after --help and --print-config, so that "required" does not block them
    } catch (const po::error& e) {
      throw UsageError(std::string(e.what()) + " (" + prog + " --help)");
    }
    // Every command with --device: a GPU that is not there is a usage error before any work starts.
    if (vm.count("device")) dist::select_device(vm["device"].as<std::string>());
    if (cmd.threads_flag) inv.threads = set_threads(vm["threads"].as<int>());
    return cmd.run(inv);
  } catch (const UsageError& e) {
    std::cerr << prog << ": error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const IntegrityError& e) {
    std::cerr << prog << ": integrity error: " << e.what() << "\n";
    return kExitIntegrity;
  } catch (const std::exception& e) {
    std::cerr << prog << ": error: " << error_text(e) << "\n";
    return kExitFailure;
  }
}

}  // namespace sinsr::cli
