/*
 * cli.h: the command-line interface: option parsing, the command table and
 * the translation of errors into messages and exit statuses.
 */
#ifndef REFUGE_CLI_CLI_H
#define REFUGE_CLI_CLI_H

/* Runs refuge with the process arguments; returns the exit status. */
int cli_main(int argc, char **argv);

#endif
