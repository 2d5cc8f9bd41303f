"""What ParaView's XDMF reader made of a Partita sidecar, for the pvbatch test scripts."""
from paraview import servermanager
from paraview.simple import XDMFReader


def read_last_step(xmf):
    """(reader, its time steps, the datasets of the last step as a flat list)."""
    reader = XDMFReader(FileNames=[xmf])
    reader.UpdatePipelineInformation()
    times = list(reader.TimestepValues)
    reader.UpdatePipeline(times[-1] if times else 0)
    return reader, times, list(leaves(servermanager.Fetch(reader)))


def leaves(obj):
    """The datasets under a (possibly nested) multiblock."""
    if obj.IsA("vtkMultiBlockDataSet"):
        for i in range(obj.GetNumberOfBlocks()):
            yield from leaves(obj.GetBlock(i))
    elif obj is not None:
        yield obj
