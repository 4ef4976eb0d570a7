// emb-client completion bash|zsh: a completion script for commands, options and job ids, built from the
// command table. Targets come from `emb-client __complete targets`, which prints nothing when no agent answers.
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { COMMANDS, GLOBAL_OPTIONS, type OptionSpec } from '../registry.js';

const flags = (spec: OptionSpec) => Object.keys(spec).map((n) => `--${n}`);
const valued = (spec: OptionSpec) =>
  Object.entries(spec)
    .filter(([, o]) => o.value !== undefined)
    .map(([n]) => `--${n}`);

/** The bash function; zsh runs the same one through bashcompinit. */
export function bashScript(): string {
  const visible = Object.entries(COMMANDS).filter(([, c]) => !c.hidden);
  const names = visible.map(([n]) => n).join(' ');
  const globalValued = valued(GLOBAL_OPTIONS);
  const allValued = new Set([...globalValued, ...visible.flatMap(([, c]) => valued(c.options))]);
  const optionCases = visible
    .filter(([, c]) => Object.keys(c.options).length)
    .map(([n, c]) => `      ${n}) opts="$opts ${flags(c.options).join(' ')}" ;;`)
    .join('\n');
  const kindCases = visible
    .filter(([, c]) => c.positional)
    .map(([n, c]) => `      ${n}) kind=${c.positional} ;;`)
    .join('\n');
  return `# emb-client completion for bash: eval "$(emb-client completion bash)" in ~/.bashrc
_emb_client() {
  # zsh (through bashcompinit) counts arrays from 1; ksh emulation counts from 0, as bash does.
  [[ -n \${ZSH_VERSION-} ]] && emulate -L ksh
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd='' w i after=0
  local -a conn=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    case $w in
      --) after=1; break ;;
      ${globalValued.join('|')}) conn+=("$w" "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      ${globalValued.map((o) => `${o}=*`).join('|')}) conn+=("$w") ;;
      ${[...allValued].filter((o) => !globalValued.includes(o)).join('|') || '--none'}) ((i++)) ;;
      -*) ;;
      *) [[ -z $cmd ]] && cmd=$w ;;
    esac
  done
  COMPREPLY=()
  if ((after)); then
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  case $prev in
    --config|--token-file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    --context) COMPREPLY=($(compgen -W "$(emb-client "\${conn[@]}" __complete contexts 2>/dev/null)" -- "$cur")); return 0 ;;
    ${[...allValued].filter((o) => !['--config', '--token-file', '--context'].includes(o)).join('|')}) return 0 ;;
  esac
  local opts="${flags(GLOBAL_OPTIONS).join(' ')}"
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else COMPREPLY=($(compgen -W "${names}" -- "$cur")); fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    case $cmd in
${optionCases}
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  local kind=''
  case $cmd in
${kindCases}
  esac
  case $kind in
    target) COMPREPLY=($(compgen -W "$(emb-client "\${conn[@]}" __complete targets 2>/dev/null)" -- "$cur")) ;;
    job) COMPREPLY=($(compgen -W "$(emb-client "\${conn[@]}" __complete jobs 2>/dev/null)" -- "$cur")) ;;
    command) COMPREPLY=($(compgen -W "${names}" -- "$cur")) ;;
    shell) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
  esac
  return 0
}
complete -F _emb_client emb-client
`;
}

export function zshScript(): string {
  return `# emb-client completion for zsh: eval "$(emb-client completion zsh)" in ~/.zshrc
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }
(( $+functions[complete] )) || { autoload -U +X bashcompinit && bashcompinit }
${bashScript().split('\n').slice(1).join('\n')}`;
}

export default async function completion(ctx: Context): Promise<number> {
  const [shell, ...extra] = ctx.parsed.positionals;
  if (extra.length || (shell !== 'bash' && shell !== 'zsh')) {
    throw new UsageError(
      'completion takes one shell: bash or zsh, e.g. eval "$(emb-client completion bash)"',
    );
  }
  ctx.out(shell === 'bash' ? bashScript() : zshScript());
  return EXIT.ok;
}
