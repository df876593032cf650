# SPDX-License-Identifier: GPL-2.0
# bash completion for vmctl(8); installed by "make install" as
# $(PREFIX)/share/bash-completion/completions/vmctl.
#
# Commands and options are read from "vmctl --help" and "vmctl COMMAND
# --help", so the completion follows the installed tool. Arguments that
# are processes complete to the PIDs in /proc.

# Words of the command list in "vmctl --help".
_vmctl_commands()
{
	"$1" --help 2>/dev/null | awk '/^Commands:/ { f = 1; next }
		f && /^  [a-z]/ { print $1; next } f && /^$/ { exit }'
}

# Long and short options of "vmctl CMD --help" (or of vmctl itself).
_vmctl_options()
{
	"$@" --help 2>/dev/null | awk '/^ +-/ {
		for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w ~ /^--?[a-zA-Z]/) print w; else break
			if (w ~ /^--/) break
		} }'
}

_vmctl_pids()
{
	local p
	for p in /proc/[0-9]*; do
		printf '%s\n' "${p#/proc/}"
	done
}

_vmctl()
{
	local cur prev prog cmd i words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}
	COMPREPLY=()

	# The command is the first word after vmctl that is not an option.
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			words=$(_vmctl_options "$prog")
		else
			words=$(_vmctl_commands "$prog")
		fi
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi

	# Option arguments.
	case $prev in
	-p | --path)
		mapfile -t COMPREPLY < <(compgen -f -X '!*.ko*' -- "$cur"; compgen -d -- "$cur")
		return 0
		;;
	-o | --output)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	-l | --listen | -t | --top | -m | --min-map-count | -i | --interval | -c | --count | \
	-r | --max-runs | -d | --delay | --iterations | --threshold | -H | --hysteresis | \
	-f | --fault-rate)
		return 0
		;;
	-e | --events)
		# watch: a comma-separated list of event names; complete the last.
		local done=${cur%"${cur##*,}"}
		mapfile -t COMPREPLY < <(compgen -P "$done" -W "all map-count-threshold \
			map-count-exhausted commit-refused fault-rate process-exit" -- "${cur##*,}")
		compopt -o nospace 2>/dev/null
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		words=$(_vmctl_options "$prog" "$cmd")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi

	case $cmd in
	module)
		# status, load or unload, once.
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} == -* ]] || return 0
		done
		mapfile -t COMPREPLY < <(compgen -W "status load unload" -- "$cur")
		;;
	help)
		mapfile -t COMPREPLY < <(compgen -W "$(_vmctl_commands "$prog")" -- "$cur")
		;;
	stats | maps | regions | faults | watch)
		mapfile -t COMPREPLY < <(compgen -W "$(_vmctl_pids)" -- "$cur")
		;;
	esac
	return 0
}

complete -F _vmctl vmctl
