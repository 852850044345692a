// Memory-bound: a random cyclic permutation of N 32-bit slots (16 MB, past the caches), built with
// Sattolo's shuffle, then followed for STEPS dependent loads. Few instructions per second of work:
// the program of a second or more that fits the CLI's default fuel budget (10^10), and the one that
// shows what the memory cap's bounds handling costs on loads that miss the cache.
#include <stdint.h>
#include <stdio.h>
#ifndef N
#define N (4u << 20)
#endif
#ifndef STEPS
#define STEPS (2u * N)
#endif
static uint32_t next[N];
int main(void) {
  uint64_t x = 88172645463325252ull;
  for (uint32_t i = 0; i < N; i++) next[i] = i;
  for (uint32_t i = N - 1; i > 0; i--) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    uint32_t j = (uint32_t)(x % i);
    uint32_t t = next[i]; next[i] = next[j]; next[j] = t;
  }
  uint32_t p = 0;
  uint64_t sum = 0;
  for (uint32_t s = 0; s < STEPS; s++) { p = next[p]; sum += p; }
  printf("memwalk: %u %llu\n", p, (unsigned long long)sum);
  return 0;
}
