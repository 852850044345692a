// An interpreter running a script: parses a small language (variables, while, if, functions with
// recursion, arithmetic) into a tree and evaluates it by walking the tree (recursive eval with a
// switch per node), the shape of simple scripting engines.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SCALE
#define SCALE "60"
#endif

static const char *SCRIPT =
    "def fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }\n"
    "def collatz(n) { s = 0; while (n != 1) { if (n % 2 == 0) { n = n / 2; } else { n = 3 * n + 1; } s = s + 1; } return s; }\n"
    "total = 0; i = 1;\n"
    "while (i < " SCALE " * 1000) { total = total + collatz(i); i = i + 1; }\n"
    "total = total + fib(20);\n"
    "print(total);\n";

enum { NUM, VAR, BIN, ASSIGN, WHILE, IF, BLOCK, CALL, RET, PRINT, DEF };
typedef struct Node Node;
struct Node { int kind, op, nkids; long val; char name[16]; Node **kids; };

static const char *p;
static void skip(void) { while (isspace((unsigned char)*p)) p++; }
static int peek(const char *s) { skip(); return strncmp(p, s, strlen(s)) == 0; }
static void expect(const char *s) { if (!peek(s)) { printf("parse error at %.20s\n", p); exit(2); } p += strlen(s); }
static Node *mk(int kind, int n) { Node *x = calloc(1, sizeof *x); x->kind = kind; x->nkids = n; x->kids = n ? calloc((size_t)n, sizeof(Node *)) : 0; return x; }
static void ident(char *out) { skip(); int n = 0; while (isalnum((unsigned char)*p) && n < 15) out[n++] = *p++; out[n] = 0; }

static Node *expr(void);
static Node *primary(void) {
  skip();
  if (*p == '(') { p++; Node *e = expr(); expect(")"); return e; }
  if (isdigit((unsigned char)*p)) { Node *x = mk(NUM, 0); x->val = strtol(p, (char **)&p, 10); return x; }
  Node *x = mk(VAR, 0); ident(x->name);
  if (peek("(")) {
    p++; Node *c = mk(CALL, 1); strcpy(c->name, x->name); free(x);
    c->kids[0] = expr(); expect(")"); return c;
  }
  return x;
}
static int prec(int op) { switch (op) { case '*': case '/': case '%': return 3; case '+': case '-': return 2; default: return 1; } }
static int binop(void) {
  skip();
  if (!strncmp(p, "==", 2)) return 'e';
  if (!strncmp(p, "!=", 2)) return 'n';
  if (strchr("+-*/%<>", *p) && *p) return *p;
  return 0;
}
static Node *climb(int min) {
  Node *l = primary();
  for (int op; (op = binop()) && prec(op) >= min;) {
    p += (op == 'e' || op == 'n') ? 2 : 1;
    Node *r = climb(prec(op) + 1);
    Node *b = mk(BIN, 2); b->op = op; b->kids[0] = l; b->kids[1] = r; l = b;
  }
  return l;
}
static Node *expr(void) { return climb(1); }
static Node *stmt(void);
static Node *block(void) {
  expect("{"); Node *b = mk(BLOCK, 64); b->nkids = 0;
  while (!peek("}")) b->kids[b->nkids++] = stmt();
  p++; return b;
}
static Node *stmt(void) {
  if (peek("while")) { p += 5; expect("("); Node *w = mk(WHILE, 2); w->kids[0] = expr(); expect(")"); w->kids[1] = block(); return w; }
  if (peek("if")) { p += 2; expect("("); Node *i = mk(IF, 3); i->kids[0] = expr(); expect(")"); i->kids[1] = block();
    if (peek("else")) { p += 4; i->kids[2] = block(); } return i; }
  if (peek("return")) { p += 6; Node *r = mk(RET, 1); r->kids[0] = expr(); expect(";"); return r; }
  if (peek("print")) { p += 5; expect("("); Node *r = mk(PRINT, 1); r->kids[0] = expr(); expect(")"); expect(";"); return r; }
  if (peek("def")) { p += 3; Node *d = mk(DEF, 1); ident(d->name); expect("("); ident((char *)&d->val); expect(")"); d->kids[0] = block(); return d; }
  Node *a = mk(ASSIGN, 1); ident(a->name); expect("="); a->kids[0] = expr(); expect(";"); return a;
}

typedef struct { char name[16]; long val; } Var;
typedef struct { Var vars[16]; int n; } Frame;
static Node *funcs[16]; static int nfuncs;
static int returning; static long retval;
static long *slot(Frame *f, const char *name) {
  for (int i = 0; i < f->n; i++) if (!strcmp(f->vars[i].name, name)) return &f->vars[i].val;
  strcpy(f->vars[f->n].name, name); f->vars[f->n].val = 0; return &f->vars[f->n++].val;
}
static long eval(Node *x, Frame *f) {
  switch (x->kind) {
    case NUM: return x->val;
    case VAR: return *slot(f, x->name);
    case BIN: {
      long a = eval(x->kids[0], f), b = eval(x->kids[1], f);
      switch (x->op) { case '+': return a + b; case '-': return a - b; case '*': return a * b; case '/': return a / b;
        case '%': return a % b; case '<': return a < b; case '>': return a > b; case 'e': return a == b; default: return a != b; }
    }
    case ASSIGN: *slot(f, x->name) = eval(x->kids[0], f); return 0;
    case WHILE: while (!returning && eval(x->kids[0], f)) eval(x->kids[1], f); return 0;
    case IF: if (eval(x->kids[0], f)) eval(x->kids[1], f); else if (x->kids[2]) eval(x->kids[2], f); return 0;
    case BLOCK: for (int i = 0; i < x->nkids && !returning; i++) eval(x->kids[i], f); return 0;
    case RET: retval = eval(x->kids[0], f); returning = 1; return 0;
    case PRINT: printf("interp: %ld\n", eval(x->kids[0], f)); return 0;
    case DEF: funcs[nfuncs++] = x; return 0;
    case CALL: {
      long arg = eval(x->kids[0], f);
      for (int i = 0; i < nfuncs; i++)
        if (!strcmp(funcs[i]->name, x->name)) {
          Frame g = {0}; *slot(&g, (char *)&funcs[i]->val) = arg;
          eval(funcs[i]->kids[0], &g); returning = 0; return retval;
        }
      printf("no function %s\n", x->name); exit(2);
    }
  }
  return 0;
}
int main(void) {
  p = SCRIPT;
  Node *prog = mk(BLOCK, 64); prog->nkids = 0;
  while (peek("") && *p) { prog->kids[prog->nkids++] = stmt(); skip(); }
  Frame top = {0};
  eval(prog, &top);
  return 0;
}
