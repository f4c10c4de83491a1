// Files we write must load in Python with torch.load to the same keys, dtypes and values. Built only when
// the configure step finds a Python with torch (Debian: python3-torch); CI installs it.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/io/pth.h"
#include "tests/support/run.h"

namespace sinsr::test {
namespace {

TEST(PthPythonInterop, TorchLoadReadsOurStateDictsExactly) {
  const std::string original = "tests/fixtures/parity/unet_small.pth";  // written by Python's torch.save
  const std::string ours = (std::filesystem::temp_directory_path() / "sinsr_python_interop.pth").string();
  auto state = io::read_state_dict(original);
  state.emplace_back("extra.half", at::arange(6, at::kFloat).view({2, 3}).to(at::kHalf));
  io::write_state_dict(ours, state);

  const std::string script =
      "import sys, torch\n"
      "a = torch.load(sys.argv[1]); b = torch.load(sys.argv[2])\n"
      "extra = b.pop('extra.half')\n"
      "assert extra.dtype == torch.float16 and extra.tolist() == [[0, 1, 2], [3, 4, 5]], extra\n"
      "assert list(a.keys()) == list(b.keys()), 'key order differs'\n"
      "for k in a:\n"
      "    assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and torch.equal(a[k], b[k]), k\n"
      "print('python torch.load: %d tensors identical' % len(a))\n";
  const std::string py = std::filesystem::temp_directory_path() / "sinsr_check_pth.py";
  FILE* f = std::fopen(py.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(script.c_str(), f);
  std::fclose(f);
  auto r = run_command(std::string(SINSR_PYTHON) + " " + py + " " + original + " " + ours);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tensors identical"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sinsr::test
