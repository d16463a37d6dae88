/* Links against the tree's own scripts/kconfig parser (parser.y, lexer.l, menu.c, ...) and
 * prints what it parsed, for tests/kernel_parser_diff.rs: one line per menu node
 * ("M file:line kind") and one per property of a named symbol, in sym->prop order
 * ("P name type file:line"). Built with -DKV_FILENAME for trees whose menus and properties
 * carry `filename` (6.12) instead of `file->name` (6.1). */
#include <stdio.h>
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
				if (n && p->menu == m)
					printf("P %s %s %s:%d\n", sym->name, n, FILE_OF(p), p->lineno);
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
