// The parameters of ResShift's residual-shifting process (docs/method.md §3): the [diffusion] config section, or
// a parity fixture's create_gaussian_diffusion kwargs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/config_table.h"

namespace sinsr {

class Json;

struct DiffusionConfig : ConfigSection<DiffusionConfig> {
  std::string schedule_name;  // only "exponential" (the shipped configs)
  double power;
  double min_noise_level;
  double etas_end;  // end value of sqrt(eta)
  int64_t steps;
  double kappa;
  int64_t sf;  // super-resolution factor: the LQ is bicubic-upsampled by this before encoding
  bool normalize_input;
  bool latent_flag;
  double scale_factor;  // latent scaling of the first stage (1.0)

  static ConfigTable<DiffusionConfig> table();  // [diffusion]
  // A fixture's diffusion config (the reference's create_gaussian_diffusion kwargs as JSON).
  static DiffusionConfig from_json(const Json& j);
  void validate() const;
};

}  // namespace sinsr
