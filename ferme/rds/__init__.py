"""The RD deployment: read back from the broker (`read`), compared with the plan (`delta`), changed by steps run
on the broker as one-shot tasks (`steps`)."""
