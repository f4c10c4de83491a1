// Additive noise of the Real-ESRGAN degradation (basicsr/data/degradations.py, *_pt variants), one sample
// at a time: images are RGB float32 in [0, 1] (CV_32FC3) and come back clamped to [0, 1].
//
// One deliberate difference: the reference draws the gray-noise map once per batch and shares it across
// every sample of the batch (a batch artefact); here each sample draws its own, so a sample does not
// depend on the batch it lands in.
#pragma once
#include <opencv2/core/mat.hpp>

#include "core/data/sample_rng.h"

namespace sinsr::data {

// img + N(0, (sigma/255)^2): per element (colour), or one map shared by the three channels (gray).
cv::Mat add_gaussian_noise(const cv::Mat& image, double sigma_255, bool gray, SampleRng& rng);

// Poisson (shot) noise: on img_q = round(img * 255) / 255 (of the image, or of its luma 0.2989 R + 0.587 G
// + 0.114 B when gray), vals = 2^ceil(log2(distinct levels)), noise = Poisson(img_q * vals) / vals - img_q,
// and img + scale * noise on the unrounded image.
cv::Mat add_poisson_noise(const cv::Mat& image, double scale, bool gray, SampleRng& rng);

}  // namespace sinsr::data
