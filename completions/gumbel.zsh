#compdef gumbel

_gumbel_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _GUMBEL_COMPLETE=complete_zsh gumbel)
}

compdef _gumbel_completion gumbel
