#!/bin/sh
# Real mode: volumes as host directories, on a 2-node cluster in private network and mount
# namespaces (examples/real/volumes.yaml).  A new cluster has the default StorageClass
# "standard" (kubesim.io/hostpath, WaitForFirstConsumer, Delete); a StatefulSet pod's claim is
# provisioned as a directory under the data directory with node affinity to the pod's node; the
# pod writes into it, is deleted, comes back under its name on the same node and reads what it
# wrote; a Deployment pod's two containers share an emptyDir (read-only in one), removed with the
# pod; deleting the claims deletes a Delete volume and its directory and keeps a Retain one; a
# hostPath volume is the host's directory.  No mount is left on the host.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter volumes

real_up 2

expect_eq "a new cluster has the default StorageClass standard" \
  "$(jget storageclass standard '.provisioner + " " + .volumeBindingMode + " " + .reclaimPolicy + " " + .metadata.annotations["storageclass.kubernetes.io/is-default-class"]')" \
  "kubesim.io/hostpath WaitForFirstConsumer Delete true"

kubesim apply -f "$TOP_SRCDIR/examples/real/volumes.yaml" >"$TMP/apply" 2>&1
expect_eq "apply exits 0" $? 0
running () {
  [ "$(jget pod "$1" .status.phase)" = Running ]
}
wait_for "notes-0 runs" 40 running notes-0
expect_eq "its claim is bound, of class standard" \
  "$(jget pvc data-notes-0 '.status.phase + " " + .spec.storageClassName')" "Bound standard"
pv=$(jget pvc data-notes-0 .spec.volumeName)
node=$(jget pod notes-0 .spec.nodeName)
dir=$(jget pv "$pv" .spec.hostPath.path)
expect_eq "the volume is a directory of the data directory" "$dir" "$(realpath "$D")/volumes/$pv"
expect_eq "with node affinity to the pod's node" \
  "$(jget pv "$pv" '.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]')" "$node"
uid0=$(jget pod notes-0 .metadata.uid)
has_line () {
  kubesim logs "$1" ${3:+-c "$3"} 2>/dev/null | grep -q -x "$2"
}
wait_for "notes-0 wrote into its claim" 10 has_line notes-0 "started as notes-0"
expect_eq "the file is in the volume's directory on the host" "$(cat "$dir/notes.txt")" "started as notes-0"

kubesim delete pod notes-0 >/dev/null 2>&1
new_pod () {
  [ "$(jget pod notes-0 .metadata.uid)" != "$uid0" ] && running notes-0
}
wait_for "notes-0 is made again and runs" 40 new_pod
expect_eq "on the volume's node" "$(jget pod notes-0 .spec.nodeName)" "$node"
wait_for "it has written its second line" 10 has_line notes-0 "started as notes-0"
kubesim logs notes-0 >"$TMP/notes" 2>&1
expect_eq "and read the file the first pod wrote" "$(cat "$TMP/notes")" \
  "started as notes-0
started as notes-0"

pair=$(kubesim get pods -o json | jq -r '.items[] | select(.metadata.labels.app == "pair") | .metadata.name')
wait_for "the pair's reader saw the writer's file" 40 has_line "$pair" "hello from $pair" reader
wait_for "and cannot write to its read-only mount" 5 has_line "$pair" read-only reader
pair_uid=$(jget pod "$pair" .metadata.uid)
pair_node=$(jget pod "$pair" .spec.nodeName)
empty="$D/nodes/$pair_node/pods/$pair_uid/volumes/shared"
expect_eq "the emptyDir is a directory of the pod's" "$(cat "$empty/greeting")" "hello from $pair"
kubesim delete deployment pair >/dev/null 2>&1
gone () {
  ! [ -e "$1" ]
}
wait_for "the emptyDir goes with the pod" 30 gone "$empty"

# Retain, and a hostPath volume, through a bare pod.
cat >"$TMP/keep.yaml" <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: kubesim.io/hostpath
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: kept}
spec:
  storageClassName: keep
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: keeper}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - {name: kept, persistentVolumeClaim: {claimName: kept}}
    - {name: host, hostPath: {path: $TMP/host, type: DirectoryOrCreate}}
  containers:
    - name: c
      image: busybox
      command: [sh, -c, 'echo kept >/kept/sub/file; echo host >/host/file; exec sleep 3600']
      volumeMounts:
        - {name: kept, mountPath: /kept/sub, subPath: part}
        - {name: host, mountPath: /host}
YAML
kubesim apply -f "$TMP/keep.yaml" >"$TMP/apply2" 2>&1
expect_eq "apply of the Retain class, claim and pod exits 0" $? 0
wait_for "the keeper runs" 40 running keeper
kept_pv=$(jget pvc kept .spec.volumeName)
kept_dir=$(jget pv "$kept_pv" .spec.hostPath.path)
file_is () {
  [ "$(cat "$1" 2>/dev/null)" = "$2" ]
}
wait_for "the keeper wrote into its claim's subPath" 10 file_is "$kept_dir/part/file" kept
wait_for "and into the hostPath directory" 10 file_is "$TMP/host/file" host
kubesim describe pod keeper >"$TMP/describe" 2>&1
expect_eq "describe pod shows the mounts as kubectl does, sorted by path" \
  "$(grep -A2 '^    Mounts:' "$TMP/describe")" '    Mounts:
      /host from host (rw)
      /kept/sub from kept (rw,path="part")'
expect_eq "and the volumes (blanks squeezed)" \
  "$(grep -A8 '^Volumes:' "$TMP/describe" | tr -s ' ')" "Volumes:
 kept:
 Type: PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
 ClaimName: kept
 ReadOnly: false
 host:
 Type: HostPath (bare host directory volume)
 Path: $TMP/host
 HostPathType: DirectoryOrCreate"

kubesim delete statefulset notes >/dev/null 2>&1
kubesim delete pod keeper >/dev/null 2>&1
no_pods () {
  [ "$(kubesim get pods -o json | jq '.items | length')" -eq 0 ]
}
wait_for "the pods are gone" 30 no_pods
kubesim delete pvc data-notes-0 kept >"$TMP/del" 2>&1
expect_eq "delete pvc exits 0" $? 0
pv_gone () {
  ! kubesim get pv "$1" >/dev/null 2>&1
}
wait_for "the Delete volume is deleted" 20 pv_gone "$pv"
expect_eq "with its directory" "$(ls -A "$D/volumes" | grep -c -x "$pv")" 0
released () {
  [ "$(jget pv "$kept_pv" .status.phase)" = Released ]
}
wait_for "the Retain volume is Released" 20 released
expect_eq "and keeps its data" "$(cat "$kept_dir/part/file")" kept
# Documented in real-mode.md: runc makes a missing mount point in the image's root file system.
[ -d "$D/images/docker.io/library/busybox/latest/rootfs/data" ] &&
  ok "runc made the mount point /data in the image (as documented)" ||
  fail "no /data in the image: docs/real-mode.md says runc makes missing mount points there"
expect_eq "no mount of the data directory is left" "$(grep -c " $(realpath "$D")" /proc/self/mountinfo)" 0
