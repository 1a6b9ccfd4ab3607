"""ferme's own operations and the helpers they share (pyinfra style: state read, then commands)."""
