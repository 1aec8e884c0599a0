// The scripts ask `stages __complete WORD...` (the words after `stages` up to the one being completed,
// which may be empty) for the candidates, one a line, as docker's and cobra's do: commands, options and
// image names come from the CLI itself, plugins' included. A first line `:files` asks the shell for
// its own file name completion (for --dir, --config...).

const bash = `# stages completion for bash: source <(stages completion bash)
_stages_complete() {
  local -a candidates
  # One candidate a line, taken as they are (no word splitting, no globbing).
  mapfile -t candidates < <(stages __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [[ \${candidates[0]} == ":files" ]]; then
    compopt -o default 2>/dev/null
    COMPREPLY=()
    return 0
  fi
  COMPREPLY=("\${candidates[@]}")
}
complete -F _stages_complete stages
`;

const zsh = `#compdef stages
# stages completion for zsh: save as _stages in a directory of $fpath, or source it after compinit
_stages() {
  local -a candidates
  candidates=("\${(@f)$(stages __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ \${candidates[1]} == ":files" ]]; then
    _files
  elif [[ -n \${candidates[1]} ]]; then
    compadd -Q -- "\${candidates[@]}"
  fi
}
if [[ "\${funcstack[1]}" == "_stages" ]]; then
  _stages "$@"
else
  compdef _stages stages
fi
`;

const fish = `# stages completion for fish: stages completion fish > ~/.config/fish/completions/stages.fish
function __stages_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l current (commandline -ct)
    set -l candidates (stages __complete $tokens "$current" 2>/dev/null)
    if test "$candidates[1]" = ":files"
        __fish_complete_path "$current"
    else
        printf '%s\\n' $candidates
    end
end
complete -c stages -f -a '(__stages_complete)'
`;

/** The completion script of a shell. */
export function completionScript(shell: "bash" | "zsh" | "fish"): string {
  return { bash, zsh, fish }[shell];
}
