// Recursive calls: naive Fibonacci (call-heavy code without loops).
#include <stdio.h>
#ifndef N
#define N 40
#endif
__attribute__((noinline)) static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) {
  printf("fib(%d) = %d\n", N, fib(N));
  return 0;
}
