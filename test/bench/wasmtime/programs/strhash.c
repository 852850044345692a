// Strings and hashing: formats keys, hashes them (FNV-1a), counts them in an open-addressing table
// with string compares, and sorts a sample with qsort (a callback through the table).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef KEYS
#define KEYS 900000
#endif
#define SLOTS (1 << 20)
static char *keys[SLOTS];
static uint32_t counts[SLOTS];
static char pool[SLOTS * 24];
static size_t used;
static uint32_t fnv(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}
static int cmp(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }
int main(void) {
  char buf[32];
  uint32_t distinct = 0;
  for (int i = 0; i < KEYS; i++) {
    int n = snprintf(buf, sizeof buf, "key-%u-%x", (unsigned)(i * 2654435761u) % 300000u, i % 7);
    uint32_t h = fnv(buf) & (SLOTS - 1);
    while (keys[h] && strcmp(keys[h], buf) != 0) h = (h + 1) & (SLOTS - 1);
    if (!keys[h]) {
      keys[h] = memcpy(pool + used, buf, (size_t)n + 1);
      used += (size_t)n + 1;
      distinct++;
    }
    counts[h]++;
  }
  static char *sample[100000];
  int m = 0;
  for (int i = 0; i < SLOTS && m < 100000; i++)
    if (keys[i]) sample[m++] = keys[i];
  qsort(sample, (size_t)m, sizeof sample[0], cmp);
  printf("strhash: distinct=%u first=%s last=%s\n", distinct, sample[0], sample[m - 1]);
  return 0;
}
