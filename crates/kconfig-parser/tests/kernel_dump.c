/* Links against the tree's own scripts/kconfig parser (parser.y, lexer.l, menu.c, ...) and
 * prints what it parsed, for tests/kernel_parser_diff.rs: one line per menu node
 * ("M file:line kind") and one per property of a named symbol, in sym->prop order
 * ("P name type file:line|names", the names the property's expression refers to, constants
 * y/m/n left out). Built with -DKV_FILENAME for trees whose menus and properties
 * carry `filename` (6.12) instead of `file->name` (6.1). */
#include <stdio.h>
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

/* What kpossible's expression pool folds an expression to: its constant value, or FX when it
 * is not constant. The pool folds `y && x` to x, `n || x` to x, `n && x` to n, `y || x` to y
 * and `!const`; a quoted constant other than y/m/n is n in a boolean context. Mirrored here
 * so both sides list the names of the same subexpressions. */
enum folded { FX, FN, FM, FY };

static int is_ynm(const struct symbol *s)
{
	return s->name && (!strcmp(s->name, "y") || !strcmp(s->name, "m") || !strcmp(s->name, "n"));
}

static enum folded fold(struct expr *e)
{
	enum folded a, b;

	switch (e->type) {
	case E_SYMBOL:
		if (is_ynm(e->left.sym))
			return e->left.sym->name[0] == 'y' ? FY : e->left.sym->name[0] == 'm' ? FM : FN;
		return (e->left.sym->flags & SYMBOL_CONST) ? FN : FX;
	case E_NOT:
		a = fold(e->left.expr);
		return a == FY ? FN : a == FN ? FY : a;
	case E_AND:
		a = fold(e->left.expr);
		b = fold(e->right.expr);
		if (a == FY)
			return b;
		if (b == FY)
			return a;
		if (a == FN || b == FN)
			return FN;
		return (a == FM && b == FM) ? FM : FX;
	case E_OR:
		a = fold(e->left.expr);
		b = fold(e->right.expr);
		if (a == FN)
			return b;
		if (b == FN)
			return a;
		if (a == FY || b == FY)
			return FY;
		return (a == FM && b == FM) ? FM : FX;
	default:
		return FX;
	}
}

static void name(const struct symbol *s)
{
	if (s->name && !is_ynm(s))
		printf("\t%s", s->name);
}

/* The names of the subexpressions that survive folding. */
static void names(struct expr *e)
{
	if (fold(e) != FX)
		return;
	switch (e->type) {
	case E_AND:
		if (fold(e->left.expr) == FY) {
			names(e->right.expr);
		} else if (fold(e->right.expr) == FY) {
			names(e->left.expr);
		} else {
			names(e->left.expr);
			names(e->right.expr);
		}
		break;
	case E_OR:
		if (fold(e->left.expr) == FN) {
			names(e->right.expr);
		} else if (fold(e->right.expr) == FN) {
			names(e->left.expr);
		} else {
			names(e->left.expr);
			names(e->right.expr);
		}
		break;
	case E_NOT:
		names(e->left.expr);
		break;
	case E_SYMBOL:
		name(e->left.sym);
		break;
	default: /* comparisons and ranges: two symbols */
		name(e->left.sym);
		name(e->right.sym);
		break;
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
					/* A single symbol or constant is listed as written (an int or
					 * string default's value); anything else as the pool folds it. */
					if (p->type != P_PROMPT && p->type != P_MENU) {
						if (p->expr->type == E_SYMBOL || p->expr->type == E_RANGE)
							p->expr->type == E_SYMBOL ? name(p->expr->left.sym)
										   : (name(p->expr->left.sym), name(p->expr->right.sym));
						else
							names(p->expr);
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
