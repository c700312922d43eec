{{ cookiecutter.__cpp_license_header }}

// scaled_dot_product_attention: out = softmax(q @ k^T * scale + mask) @ v for
// each index of the batch dimensions, with q [l, e], k [s, e], v [s, ev].
// scale 0 in the blob means PyTorch's default 1/sqrt(e). is_causal hides key
// j from query i when j > i (PyTorch's top-left causal mask); a float mask is
// added to the scores and broadcasts like PyTorch. The softmax subtracts the
// row's maximum and sums in double; a row whose scores are all -inf gives
// zeros, as PyTorch's _safe_softmax does.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_scaled_dot_product_attention(const KernelContext& context) {
  using namespace schema::scaled_dot_product_attention;
  const Shape& q_shape = context.input_info(kInputQuery).shape;
  const uint32_t rank = q_shape.rank;
  const size_t l = q_shape.dim(rank - 2);
  const size_t e = q_shape.dim(rank - 1);
  const size_t s = context.input_info(kInputKey).shape.dim(rank - 2);
  const size_t ev = context.input_info(kInputValue).shape.dim(rank - 1);
  size_t batch = 1;
  for (uint32_t d = 0; d + 2 < rank; ++d) {
    batch *= q_shape.dim(d);
  }
  double scale = context.attr_float(kAttrScale);
  if (scale == 0.0) {
    scale = 1.0 / std::sqrt(double(e));
  }
  const bool causal = context.attr_bool(kAttrIsCausal);

  // The mask's stride along each dimension of the scores [..., l, s]: 0
  // along the dimensions it broadcasts (or lacks).
  const float* mask = context.input<float>(kInputAttnMask);
  std::array<size_t, kMaxRank> mask_strides{};
  if (mask != nullptr) {
    const Shape& m = context.input_info(kInputAttnMask).shape;
    size_t stride = 1;
    for (uint32_t i = 0; i < m.rank; ++i) {
      const uint32_t md = m.rank - 1 - i;
      mask_strides[rank - 1 - i] = m.dim(md) == 1 ? 0 : stride;
      stride *= m.dim(md);
    }
  }

  const float* q = context.input<float>(kInputQuery);
  const float* k = context.input<float>(kInputKey);
  const float* v = context.input<float>(kInputValue);
  float* out = context.output<float>();
  std::vector<double> scores(s);
  for (size_t b = 0; b < batch; ++b) {
    // The mask offset of batch index b, the last dimension varying fastest.
    size_t mask_base = 0;
    size_t rest = b;
    for (uint32_t d = rank - 2; d-- > 0;) {
      mask_base += (rest % q_shape.dim(d)) * mask_strides[d];
      rest /= q_shape.dim(d);
    }
    const float* qb = q + b * l * e;
    const float* kb = k + b * s * e;
    const float* vb = v + b * s * ev;
    for (size_t i = 0; i < l; ++i) {
      double max = -INFINITY;
      for (size_t j = 0; j < s; ++j) {
        double score = -INFINITY;
        if (!causal || j <= i) {
          double dot = 0.0;
          for (size_t c = 0; c < e; ++c) {
            dot += double(qb[i * e + c]) * double(kb[j * e + c]);
          }
          score = dot * scale;
          if (mask != nullptr) {
            score += mask
                [mask_base + i * mask_strides[rank - 2] +
                 j * mask_strides[rank - 1]];
          }
        }
        scores[j] = score;
        max = std::fmax(max, score);
      }
      float* row = out + (b * l + i) * ev;
      if (max == -INFINITY) {
        std::fill(row, row + ev, 0.0f);
        continue;
      }
      double sum = 0.0;
      for (size_t j = 0; j < s; ++j) {
        scores[j] = std::exp(scores[j] - max);
        sum += scores[j];
      }
      for (size_t c = 0; c < ev; ++c) {
        double acc = 0.0;
        for (size_t j = 0; j < s; ++j) {
          acc += scores[j] * double(vb[j * ev + c]);
        }
        row[c] = static_cast<float>(acc / sum);
      }
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
