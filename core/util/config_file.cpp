#include "core/util/config_file.h"

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "core/util/errors.h"

namespace po = boost::program_options;

namespace sinsr {

namespace {

// The "section.key = value" entries of INI text, in file order; unknown keys are kept for the caller to name.
Config::Overrides read_ini(std::istream& in, const std::string& origin) {
  po::options_description desc;
  for (const ConfigKey& k : config_schema()) desc.add_options()(k.dotted().c_str(), po::value<std::string>());
  po::parsed_options parsed(&desc);
  try {
    parsed = po::parse_config_file(in, desc, /*allow_unregistered=*/true);
  } catch (const po::error& e) {
    throw UsageError("config file '" + origin + "': " + e.what());
  }
  Config::Overrides entries;
  for (const po::option& opt : parsed.options)
    entries.emplace_back(opt.string_key, opt.value.empty() ? "" : opt.value.front());
  return entries;
}

}  // namespace

Config load_config(const std::string& ini_path, const Config::Overrides& overrides) {
  Config cfg = Config::defaults();
  if (!ini_path.empty()) {
    std::ifstream in(ini_path);
    if (!in) throw UsageError("cannot read config file '" + ini_path + "': check the path given to --config");
    cfg.merge(read_ini(in, ini_path), ini_path, "in " + ini_path);
    cfg.set_source(ini_path);
  }
  cfg.merge(overrides, "command line", "on the command line");
  // Every key, defaults included: a bad value stops the command here, before any work (and before a
  // division by a zero interval or a LibTorch check deep inside a step).
  cfg.check_all();
  return cfg;
}

Config config_from_ini_text(const std::string& text, const std::string& origin) {
  Config cfg = Config::defaults();
  std::istringstream in(text);
  cfg.merge(read_ini(in, origin), origin, "in " + origin);
  cfg.check_all();
  return cfg;
}

}  // namespace sinsr
