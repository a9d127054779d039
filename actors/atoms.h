// Message tags of the pipeline (CAF 0.17 atoms, at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace raftvault::actors {

using recover_atom = caf::atom_constant<caf::atom("recover")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using backlog_atom = caf::atom_constant<caf::atom("backlog")>;
using no_behind_atom = caf::atom_constant<caf::atom("no_behind")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using snap_rec_atom = caf::atom_constant<caf::atom("snap_rec")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using seal_atom = caf::atom_constant<caf::atom("seal")>;
using gc_atom = caf::atom_constant<caf::atom("gc")>;
using purge_atom = caf::atom_constant<caf::atom("purge")>;
using drop_segs_atom = caf::atom_constant<caf::atom("drop_segs")>;
using give_back_atom = caf::atom_constant<caf::atom("give_back")>;
using rotate_dek_atom = caf::atom_constant<caf::atom("rotate_dek")>;
using rotate_kek_atom = caf::atom_constant<caf::atom("rotate_kek")>;
using autolock_atom = caf::atom_constant<caf::atom("autolock")>;
using provider_atom = caf::atom_constant<caf::atom("provider")>;
using switch_atom = caf::atom_constant<caf::atom("switch")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using handover_atom = caf::atom_constant<caf::atom("handover")>;
using take_snap_atom = caf::atom_constant<caf::atom("take_snap")>;
using step_atom = caf::atom_constant<caf::atom("step")>;

}  // namespace raftvault::actors
