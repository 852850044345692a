// Loop-heavy kernels: a sieve and a matrix multiply, repeated (tight inner loops, memory traffic).
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifndef REPS
#define REPS 36
#endif
#define M 160
static double a[M][M], b[M][M], c[M][M];
static uint8_t sieve[2000000];
int main(void) {
  int primes = 0;
  double trace = 0;
  for (int r = 0; r < REPS; r++) {
    memset(sieve, 0, sizeof sieve);
    primes = 0;
    for (int i = 2; i < (int)sizeof sieve; i++) {
      if (sieve[i]) continue;
      primes++;
      for (int j = i + i; j < (int)sizeof sieve; j += i) sieve[j] = 1;
    }
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        a[i][j] = (i * 7 + j * 3 + r) % 13;
        b[i][j] = (i * 5 + j * 11 + r) % 17;
      }
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        double s = 0;
        for (int k = 0; k < M; k++) s += a[i][k] * b[k][j];
        c[i][j] = s;
      }
    for (int i = 0; i < M; i++) trace += c[i][i];
  }
  printf("loops: primes=%d trace=%.0f\n", primes, trace);
  return 0;
}
