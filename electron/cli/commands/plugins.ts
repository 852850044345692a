// `plugins <subcommand>`: the installed plugins, as plugins.toml records them.
import { type CliCommand, PROGRAM } from '../command.js';
import { commandListText, dispatch } from '../dispatch.js';
import { pluginsAuditCommand } from './plugins-audit.js';
import {
  pluginsApproveCommand,
  pluginsGrantCommand,
  pluginsRemoveCommand,
  pluginsRevokeCommand,
} from './plugins-grants.js';
import { pluginsInstallCommand, pluginsUpdateCommand } from './plugins-install.js';
import { pluginsListCommand } from './plugins-list.js';
import { pluginsSearchCommand } from './plugins-search.js';

export const PLUGIN_SUBCOMMANDS: CliCommand[] = [
  pluginsListCommand,
  pluginsSearchCommand,
  pluginsInstallCommand,
  pluginsUpdateCommand,
  pluginsRemoveCommand,
  pluginsGrantCommand,
  pluginsRevokeCommand,
  pluginsApproveCommand,
  pluginsAuditCommand,
];

const usage = () => `Usage: ${PROGRAM} plugins <subcommand> [options]

${commandListText('Subcommands:', PLUGIN_SUBCOMMANDS)}
Run "${PROGRAM} plugins <subcommand> --help" for its options.
`;

export const pluginsCommand: CliCommand = {
  name: 'plugins',
  summary: 'list and manage installed plugins (plugins.toml)',
  group: true,
  get usage() {
    return usage();
  },
  run(argv, io) {
    return dispatch(argv, io, PLUGIN_SUBCOMMANDS, { prefix: `${PROGRAM} plugins`, usage: usage() });
  },
};
