"""Which training process this is, and how processes agree (DDP stage hand-over).

Lightning makes the process group (strategy "ddp": gloo on CPU, NCCL on GPUs) at
the first `Trainer.fit`; between two stages it stays up, and these helpers use it
so that every rank waits for rank 0's files and takes rank 0's decisions. Before
the group exists (or with one process) they are no-ops: nothing is written yet
that ranks could read differently.
"""

from typing import Any

import torch.distributed as dist


def distributed() -> bool:
    """True once a process group with more than one process is up."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def global_rank() -> int:
    """This process's rank: from the process group, else what the launcher's environment
    says (RANK, LOCAL_RANK, SLURM_PROCID, as Lightning reads them), else 0."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    from lightning.pytorch.utilities import rank_zero_only

    return int(getattr(rank_zero_only, "rank", 0) or 0)


def wait_for_all() -> None:
    """Barrier: no rank goes on before every rank got here (e.g. rank 0 wrote a stage)."""
    if distributed():
        dist.barrier()


def from_rank_zero(value: Any) -> Any:
    """Rank 0's `value` on every rank (any picklable object)."""
    if not distributed():
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def leave() -> None:
    """End this process's part in the process group, after every rank got here. Called once
    training ended well: a gloo group left up at exit has worker threads that abort the
    process as the interpreter tears down ("terminate called without an active exception").
    Not on an error: a rank that left while others still wait in a collective would hang them."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
