/* Links against the tree's own scripts/kconfig parser (parser.y, lexer.l, menu.c, ...) and
 * prints what it parsed, for tests/kernel_parser_diff.rs: one line per menu node
 * ("M file:line kind") and one per property of a named symbol, in sym->prop order
 * ("P name type file:line|expression", see canon()). Built with -DKV_FILENAME for trees whose menus and properties
 * carry `filename` (6.12) instead of `file->name` (6.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lkc.h"

#ifdef KV_FILENAME
#define FILE_OF(x) ((x)->filename)
#else
#define FILE_OF(x) ((x)->file->name)
#endif

static const char *prop_name(enum prop_type t)
{
	switch (t) {
	case P_PROMPT: case P_MENU: return "prompt";
	case P_DEFAULT: return "default";
	case P_SELECT: return "select";
	case P_IMPLY: return "imply";
	case P_RANGE: return "range";
	default: return NULL;
	}
}

/* An expression in a canonical text form after the constant folding kpossible's expression
 * pool applies while building (`!const`, `!!x`, `y && x`, `n && x`, `n || x`, `y || x`,
 * `x && x`, `x || x`), so the two parsers' trees can be compared exactly: `$NAME` a symbol,
 * `'TEXT'` a constant operand of a comparison, `y`/`m`/`n` constants (a quoted constant
 * other than y/m/n is `n` in a boolean context), `!(x)`, `&(a,b)`, `|(a,b)`, `=(a,b)`... */
static int is_ynm(const struct symbol *s)
{
	return s->name && (!strcmp(s->name, "y") || !strcmp(s->name, "m") || !strcmp(s->name, "n")) ;
}

static char *operand(const struct symbol *s)
{
	char *out;

	if (!s->name)
		return strdup("?");
	if (is_ynm(s) || (s->flags & SYMBOL_CONST)) {
		out = malloc(strlen(s->name) + 3);
		sprintf(out, "'%s'", s->name);
	} else {
		out = malloc(strlen(s->name) + 2);
		sprintf(out, "$%s", s->name);
	}
	return out;
}

static int is_const(const char *x)
{
	return !strcmp(x, "y") || !strcmp(x, "m") || !strcmp(x, "n");
}

static char *join(const char *op, char *a, char *b)
{
	char *out = malloc(strlen(op) + strlen(a) + (b ? strlen(b) : 0) + 4);

	if (b)
		sprintf(out, "%s(%s,%s)", op, a, b);
	else
		sprintf(out, "%s(%s)", op, a);
	free(a);
	free(b);
	return out;
}

static char *canon(struct expr *e)
{
	char *a, *b;
	const char *op;

	switch (e->type) {
	case E_SYMBOL:
		if (is_ynm(e->left.sym))
			return strdup(e->left.sym->name);
		if (e->left.sym->flags & SYMBOL_CONST)
			return strdup("n");
		return operand(e->left.sym);
	case E_NOT:
		a = canon(e->left.expr);
		if (is_const(a)) {
			char c = a[0] == 'y' ? 'n' : a[0] == 'n' ? 'y' : 'm';
			free(a);
			return strndup(&c, 1);
		}
		if (!strncmp(a, "!(", 2)) {
			b = strndup(a + 2, strlen(a) - 3);
			free(a);
			return b;
		}
		return join("!", a, NULL);
	case E_AND:
	case E_OR: {
		int and = e->type == E_AND;
		const char *unit = and ? "y" : "n", *zero = and ? "n" : "y";

		a = canon(e->left.expr);
		b = canon(e->right.expr);
		if (!strcmp(a, unit)) {
			free(a);
			return b;
		}
		if (!strcmp(b, unit)) {
			free(b);
			return a;
		}
		if (!strcmp(a, zero) || !strcmp(b, zero)) {
			free(a);
			free(b);
			return strdup(zero);
		}
		if (!strcmp(a, b)) {
			free(b);
			return a;
		}
		return join(and ? "&" : "|", a, b);
	}
	default:
		switch (e->type) {
		case E_EQUAL: op = "="; break;
		case E_UNEQUAL: op = "!="; break;
		case E_LTH: op = "<"; break;
		case E_LEQ: op = "<="; break;
		case E_GTH: op = ">"; break;
		case E_GEQ: op = ">="; break;
		case E_RANGE: op = "range"; break;
		default: op = "?"; break;
		}
		return join(op, operand(e->left.sym), operand(e->right.sym));
	}
}

static void walk(struct menu *m)
{
	for (; m; m = m->next) {
		struct symbol *sym = m->sym;
		const char *kind = "if";
		if (sym && sym_is_choice(sym))
			kind = "choice";
		else if (sym)
			kind = "config";
		else if (m->prompt && m->prompt->type == P_MENU)
			kind = "menu";
		else if (m->prompt && m->prompt->type == P_COMMENT)
			kind = "comment";
		printf("M %s:%d %s %s\n", FILE_OF(m), m->lineno, kind, sym && sym->name && !sym_is_choice(sym) ? sym->name : "-");
		if (sym && sym->name && !sym_is_choice(sym)) {
			struct property *p;
			for (p = sym->prop; p; p = p->next) {
				const char *n = prop_name(p->type);
				if (n && p->menu == m) {
					printf("P %s %s %s:%d|", sym->name, n, FILE_OF(p), p->lineno);
					if (p->type != P_PROMPT && p->type != P_MENU) {
						char *c = canon(p->expr);
						/* A single symbol or constant is also shown as the operand an int
						 * or string symbol takes its value from. */
						if (p->type == P_DEFAULT && p->expr->type == E_SYMBOL) {
							char *o = operand(p->expr->left.sym);
							printf("%s %s", c, o);
							free(o);
						} else {
							printf("%s", c);
						}
						free(c);
					}
					printf("\n");
				}
			}
		}
		if (m->list)
			walk(m->list);
	}
}

int main(int argc, char **argv)
{
	conf_parse(argc > 1 ? argv[1] : "Kconfig");
	walk(rootmenu.list);
	return 0;
}
