#include "core/diffusion/diffusion_config.h"

#include "core/util/config_table.h"
#include "core/util/errors.h"
#include "core/util/json.h"

namespace sinsr {

// [diffusion]: ResShift's residual-shifting process (reference configs/SinSR.yaml, diffusion.params).
ConfigTable<DiffusionConfig> DiffusionConfig::table() {
  return {"diffusion",
          {
              {"schedule_name", "exponential", "eta schedule (only 'exponential')", R::one_of("exponential"),
               &C::schedule_name},
              {"power", "0.3", "exponent of the schedule's time warp", R::number_above(0), &C::power},
              {"min_noise_level", "0.04", "noise level at t = 0 (sqrt(eta_0) = min(this/kappa, this, sqrt(0.001)))",
               R::number_above(0), &C::min_noise_level},
              {"etas_end", "0.99", "sqrt(eta) at the last step", R::number_in(0, 1, /*low_open=*/true), &C::etas_end},
              {"steps", "15", "diffusion steps T", R::integer_at_least(1), &C::steps},
              {"kappa", "2.0", "noise scale kappa", R::number_above(0), &C::kappa},
              {"sf", "4", "super-resolution factor (LQ is bicubic-upsampled by this before encoding)",
               R::integer_at_least(1), &C::sf},
              {"normalize_input", "true", "divide the UNet input by its std sqrt(kappa^2 eta_t + 1)", R::flag(),
               &C::normalize_input},
              {"latent_flag", "true",
               "true: latent space (the VQ-f4 [autoencoder], --autoencoder); false: pixel space (no autoencoder, x0 "
               "clamped to [-1, 1])",
               R::flag(), &C::latent_flag},
              {"scale_factor", "1.0", "latent scale factor of the first stage", R::number_above(0), &C::scale_factor},
          },
          [](C& c) { c.validate(); }};
}

DiffusionConfig DiffusionConfig::from_json(const Json& j) {
  DiffusionConfig c;
  c.schedule_name = j["schedule_name"].as_string();
  c.power = j["schedule_kwargs"]["power"].as_number();
  c.min_noise_level = j["min_noise_level"].as_number();
  c.etas_end = j.has("etas_end") ? j["etas_end"].as_number() : 0.99;
  c.steps = j["steps"].as_int();
  c.kappa = j.has("kappa") ? j["kappa"].as_number() : 1.0;
  c.sf = j.has("sf") ? j["sf"].as_int() : 4;
  c.normalize_input = j.has("normalize_input") ? j["normalize_input"].as_bool() : true;
  c.latent_flag = j.has("latent_flag") ? j["latent_flag"].as_bool() : true;
  c.scale_factor = j.has("scale_factor") && !j["scale_factor"].is_null() ? j["scale_factor"].as_number() : 1.0;
  if (j.has("predict_type") && j["predict_type"].as_string() != "xstart")
    throw UsageError("diffusion config: only predict_type 'xstart' is supported (ResShift/SinSR)");
  if (j.has("timestep_respacing") && !j["timestep_respacing"].is_null() && j["timestep_respacing"].as_int() != c.steps)
    throw UsageError("diffusion config: timestep respacing is not supported");
  c.validate();
  return c;
}

void DiffusionConfig::validate() const {
  auto bad = [](const std::string& what) { throw UsageError("diffusion config: " + what); };
  if (schedule_name != "exponential") bad("schedule_name must be 'exponential' (got '" + schedule_name + "')");
  if (steps < 2) bad("steps must be at least 2");
  if (kappa <= 0 || min_noise_level <= 0 || etas_end <= 0 || etas_end > 1)
    bad("kappa, min_noise_level and etas_end must be positive, etas_end <= 1");
  if (sf < 1) bad("sf must be a positive integer");
  if (scale_factor <= 0) bad("scale_factor must be positive");
}

}  // namespace sinsr
