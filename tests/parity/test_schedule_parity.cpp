// The eta schedule and every derived array against schedule_*.h5 (numpy float64 from the reference, plus
// the float32 values its code computes at run time).
#include <gtest/gtest.h>

#include "core/diffusion/schedule.h"
#include "core/util/json.h"
#include "tests/support/fixtures.h"

namespace sinsr::test {
namespace {

void expect_close(const std::vector<double>& ours, const at::Tensor& ref, double rtol, double atol,
                  const std::string& what) {
  ASSERT_EQ(static_cast<int64_t>(ours.size()), ref.numel()) << what;
  auto r = ref.to(at::kDouble).contiguous();
  for (size_t i = 0; i < ours.size(); ++i) {
    const double e = r.data_ptr<double>()[i];
    EXPECT_LE(std::fabs(ours[i] - e), rtol * std::fabs(e) + atol)
        << what << "[" << i << "]: " << ours[i] << " vs " << e;
  }
}

void expect_equal_f32(const std::vector<float>& ours, const at::Tensor& ref, const std::string& what) {
  ASSERT_EQ(static_cast<int64_t>(ours.size()), ref.numel()) << what;
  auto r = ref.to(at::kFloat).contiguous();
  for (size_t i = 0; i < ours.size(); ++i)
    EXPECT_NEAR(ours[i], r.data_ptr<float>()[i], 1e-7) << what << "[" << i << "]";
}

TEST(ScheduleParity, EveryArrayOfEveryGroup) {
  constexpr double kRtol = 1e-12;  // float64 arrays (issue #3)
  for (const std::string& path : fixture_files("schedule_")) {
    io::H5Reader h5(path);
    const Json groups = Json::parse(h5.attr_string("/", "groups"));
    for (const Json& g : groups.as_array()) {
      const std::string name = g.as_string();
      SCOPED_TRACE(path + " group " + name);
      const EtaSchedule s(DiffusionConfig::from_json(Json::parse(h5.attr_string(name, "config"))));
      auto ref = [&](const std::string& d) { return h5.read(name + "/" + d); };
      ASSERT_EQ(s.num_timesteps, ref("etas").numel());
      const std::vector<std::pair<const char*, const std::vector<double>*>> arrays = {
          {"sqrt_etas", &s.sqrt_etas},
          {"etas", &s.etas},
          {"etas_prev", &s.etas_prev},
          {"alpha", &s.alpha},
          {"posterior_variance", &s.posterior_variance},
          {"posterior_variance_clipped", &s.posterior_variance_clipped},
          {"posterior_log_variance_clipped", &s.posterior_log_variance_clipped},
          {"posterior_mean_coef1", &s.posterior_mean_coef1},
          {"posterior_mean_coef2", &s.posterior_mean_coef2},
          {"etas_prev_clipped", &s.etas_prev_clipped},
          {"ddim_coef1", &s.ddim_coef1},
          {"ddim_coef2", &s.ddim_coef2},
          {"weight_loss_mse", &s.weight_loss_mse}};
      for (const auto& [name, ours] : arrays) expect_close(*ours, ref(name), kRtol, 0, name);
      // k_t and j_t are differences of nearly equal square roots: allow their terms' float64 round-off too.
      expect_close(s.k_t, ref("k_t"), kRtol, 1e-15, "k_t");
      expect_close(s.m_t, ref("m_t"), kRtol, 1e-15, "m_t");
      expect_close(s.j_t, ref("j_t"), kRtol, 1e-15, "j_t");
      expect_equal_f32(s.k_t_f32, ref("k_t_f32"), "k_t_f32");
      expect_equal_f32(s.m_t_f32, ref("m_t_f32"), "m_t_f32");
      expect_equal_f32(s.j_t_f32, ref("j_t_f32"), "j_t_f32");
      expect_equal_f32(s.posterior_std_f32, ref("posterior_std_f32"), "posterior_std_f32");
      std::vector<float> factor;
      for (float sd : s.input_std_f32) factor.push_back(1.0f / sd);
      expect_equal_f32(factor, ref("scale_input_factor_f32"), "scale_input_factor_f32");
      expect_equal_f32({s.prior_std_f32}, ref("prior_std_f32"), "prior_std_f32");
    }
  }
}

}  // namespace
}  // namespace sinsr::test
