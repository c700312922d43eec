// Reference float32 CPU kernels, one per opcode of the delegate blob.
//
// They are deliberately plain loops: they define what each op computes and
// let the backend run anywhere. A team porting the backend to its hardware
// replaces the calls in {{ cookiecutter.class_prefix }}Executor.cpp (see
// HARDWARE-INTEGRATION there) and keeps these as the numerical reference.
//
// Preconditions, guaranteed by parse_graph(): shapes are consistent, buffers
// hold numel() floats, and the output does not overlap any input.
#pragma once

#include "{{ cookiecutter.class_prefix }}Shape.h"

#include <cstddef>

namespace {{ cookiecutter.__cpp_namespace }} {
namespace kernels {

enum class BinaryOp { Add, Sub, Mul, Div };
enum class UnaryOp { Relu, Sigmoid, Tanh };

// out = a (op) b with PyTorch broadcasting; out_shape is the broadcast of
// a_shape and b_shape. For Add and Sub, b is scaled by alpha first.
void binary(
    BinaryOp op,
    const float* a,
    const Shape& a_shape,
    const float* b,
    const Shape& b_shape,
    float* out,
    const Shape& out_shape,
    float alpha);

void unary(UnaryOp op, const float* x, float* out, size_t numel);

// min(max(x, min_value), max_value); NaN inputs stay NaN, as in torch.clamp.
void clamp(
    const float* x,
    float* out,
    size_t numel,
    float min_value,
    float max_value);

// out[r, o] = sum_i x[r, i] * weight[o, i] + bias[o], for rows r of x.
// bias may be null.
void linear(
    const float* x,
    const float* weight,
    const float* bias,
    float* out,
    size_t rows,
    size_t in_features,
    size_t out_features);

// out[n, m] = a[n, k] @ b[k, m].
void mm(const float* a, const float* b, float* out, size_t n, size_t k, size_t m);

// out[i] = a[i] @ b[i] for each of the batch matrices.
void bmm(
    const float* a,
    const float* b,
    float* out,
    size_t batch,
    size_t n,
    size_t k,
    size_t m);

} // namespace kernels
} // namespace {{ cookiecutter.__cpp_namespace }}
