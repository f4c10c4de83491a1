// Reading a run configuration from INI text (docs/architecture.md §3.2): the one place that parses INI, with
// Boost.Program_options' config-file parser. Precedence: every key's default < the file < the overrides
// (`--section.key=value`); then every value is checked against its key's rule, before any work.
#pragma once
#include <string>

#include "core/util/config.h"

namespace sinsr {

// Throws UsageError on an unknown key (naming the closest valid one), an unreadable file, or a value its
// key's rule refuses. An empty `ini_path` reads no file.
Config load_config(const std::string& ini_path, const Config::Overrides& overrides = {});

// defaults <- INI text (a config recorded in a manifest, a shard or a checkpoint); `origin` names it in errors.
Config config_from_ini_text(const std::string& text, const std::string& origin);

}  // namespace sinsr
