"""Every staff and young person's action, declared once: dispatch, menus, /help, permissions and the audit."""
