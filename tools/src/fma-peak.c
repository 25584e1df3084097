/*
 * Peak float32 multiply-add throughput of this machine's cores: every thread runs chains of independent
 * vector FMAs (GCC vector extensions; -march=native picks the widest unit, AVX-512 here), no memory traffic.
 * Prints one JSON line: {"threads": T, "gflops": G} where G counts 2 FLOP per multiply-add, best of 5 rounds.
 * Built and run by fma-peak.ts: cc -O3 -march=native -fopenmp fma-peak.c.
 */
#include <omp.h>
#include <stdio.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));
#define CHAINS 12

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  const long iterations = 100000000;
  double best = 0;
  float sink = 0;
  int threads = 1;
  for (int round = 0; round < 5; round++) {
    double start = seconds();
#pragma omp parallel reduction(+ : sink)
    {
      threads = omp_get_num_threads();
      v16 acc[CHAINS];
      v16 scale, shift;
      for (int j = 0; j < 16; j++) {
        scale[j] = 1.0000001f;
        shift[j] = 1e-7f;
      }
      for (int i = 0; i < CHAINS; i++) acc[i] = scale * (float)i;
      for (long it = 0; it < iterations / threads; it++)
        for (int i = 0; i < CHAINS; i++) acc[i] = acc[i] * scale + shift;
      for (int i = 0; i < CHAINS; i++)
        for (int j = 0; j < 16; j++) sink += acc[i][j];
    }
    double flops = (double)(iterations / threads) * threads * CHAINS * 16 * 2;
    double rate = flops / (seconds() - start) / 1e9;
    if (rate > best) best = rate;
  }
  printf("{\"threads\": %d, \"gflops\": %.1f, \"sink\": %g}\n", threads, best, sink);
  return 0;
}
