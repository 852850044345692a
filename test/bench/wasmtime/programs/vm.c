// A switch-dispatch bytecode VM (the shape of most interpreters' inner loop): a stack machine running
// a nested counting loop with arithmetic, locals and conditional jumps. Prints a checksum.
#include <stdint.h>
#include <stdio.h>

#ifndef ITERS
#define ITERS 12000
#endif

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, XOR, AND, SHR, LT, JZ, JMP, DUP, DROP, INC, HALT };

static int64_t run(const int32_t *code, int64_t *locals) {
  int64_t stack[64];
  int sp = 0;
  int pc = 0;
  for (;;) {
    int32_t op = code[pc++];
    switch (op) {
      case PUSH: stack[sp++] = code[pc++]; break;
      case LOAD: stack[sp++] = locals[code[pc++]]; break;
      case STORE: locals[code[pc++]] = stack[--sp]; break;
      case ADD: sp--; stack[sp - 1] += stack[sp]; break;
      case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
      case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
      case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
      case AND: sp--; stack[sp - 1] &= stack[sp]; break;
      case SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
      case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case JZ: { int32_t t = code[pc++]; if (stack[--sp] == 0) pc = t; break; }
      case JMP: pc = code[pc]; break;
      case DUP: stack[sp] = stack[sp - 1]; sp++; break;
      case DROP: sp--; break;
      case INC: locals[code[pc++]]++; break;
      case HALT: return locals[0];
    }
  }
}

int main(void) {
  // acc = 0; for (i = 0; i < ITERS; i++) for (j = 0; j < 1000; j++) acc = ((acc ^ (i*j)) * 31 + j) & 0xffffff;
  static const int32_t code[] = {
      PUSH, 0, STORE, 0,            // 0: acc = 0
      PUSH, 0, STORE, 1,            // 4: i = 0
      LOAD, 1, PUSH, ITERS, LT, JZ, 53, // 8: while i < ITERS
      PUSH, 0, STORE, 2,            // 15: j = 0
      LOAD, 2, PUSH, 1000, LT, JZ, 49, // 19: while j < 1000
      LOAD, 0, LOAD, 1, LOAD, 2, MUL, XOR, PUSH, 31, MUL, LOAD, 2, ADD, PUSH, 0xffffff, AND, STORE, 0, // 26
      INC, 2, JMP, 19,              // 45
      INC, 1, JMP, 8,               // 49
      HALT,                         // 53
  };
  int64_t locals[8] = {0};
  printf("vm: %lld\n", (long long)run(code, locals));
  return 0;
}
