#include "core/pairs/pair_shard.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/util/atomic_file.h"

namespace fs = std::filesystem;

namespace sinsr::pairs {

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

ShardIdentity read_shard_identity(const std::string& path) {
  io::H5Reader h5(path);
  ShardIdentity id;
  id.schema = h5.attr_string("/", "schema");
  id.content_sha256 = h5.attr_string("/", "content_sha256");
  id.first_index = static_cast<int64_t>(h5.attr_double("/", "first_index"));
  id.count = static_cast<int64_t>(h5.attr_double("/", "count"));
  return id;
}

ShardWriter::ShardWriter(const std::string& dir, ShardRange range, const SampleShapes& shapes,
                         const ShardAttributes& attrs)
    : temp_(shard_temp_path(dir, range.first)), final_((fs::path(dir) / shard_file_name(range.first)).string()) {
  h5_ = std::make_unique<io::H5Writer>(temp_);
  auto with_rows = [&](const std::vector<int64_t>& sample) {
    std::vector<int64_t> dims{range.count};
    dims.insert(dims.end(), sample.begin(), sample.end());
    return dims;
  };
  h5_->create_dataset("index", at::kLong, {range.count});
  h5_->create_dataset("gt", at::kByte, with_rows(shapes.gt));
  h5_->create_dataset("lq", at::kByte, with_rows(shapes.lq));
  for (const char* name : {"x_T", "z_teacher", "z_y", "z_gt"})
    h5_->create_dataset(name, at::kFloat, with_rows(shapes.latent));
  h5_->set_attr("schema", std::string(kSchema));
  h5_->set_attr("teacher_sha256", attrs.teacher_sha256);
  h5_->set_attr("autoencoder_sha256", attrs.autoencoder_sha256);
  h5_->set_attr("config", attrs.config);
  h5_->set_attr("content_sha256", attrs.content_sha256);
  h5_->set_attr("seed", attrs.seed);
  h5_->set_attr("count", range.count);
  h5_->set_attr("first_index", range.first);
  h5_->set_attr("created_utc", utc_now());
  h5_->set_attr("generator", attrs.generator);
}

ShardWriter::~ShardWriter() {
  if (committed_) return;
  h5_.reset();
  std::error_code ec;
  fs::remove(temp_, ec);
}

void ShardWriter::write(int64_t row, const at::Tensor& index, const at::Tensor& gt, const at::Tensor& lq,
                        const at::Tensor& x_T, const at::Tensor& z_teacher, const at::Tensor& z_y,
                        const at::Tensor& z_gt) {
  h5_->write_rows("index", row, index.to(at::kLong));
  h5_->write_rows("gt", row, gt);
  h5_->write_rows("lq", row, lq);
  h5_->write_rows("x_T", row, x_T.to(at::kCPU, at::kFloat));
  h5_->write_rows("z_teacher", row, z_teacher.to(at::kCPU, at::kFloat));
  h5_->write_rows("z_y", row, z_y.to(at::kCPU, at::kFloat));
  h5_->write_rows("z_gt", row, z_gt.to(at::kCPU, at::kFloat));
}

std::string ShardWriter::commit() {
  h5_->close();
  rename_durably(temp_, final_);  // the final name only ever holds a whole shard
  committed_ = true;
  return final_;
}

}  // namespace sinsr::pairs
