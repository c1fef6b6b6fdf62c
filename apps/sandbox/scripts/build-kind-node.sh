#!/usr/bin/env bash
# Builds a kind node image offline: a Debian bookworm rootfs (debootstrap from the Debian mirror apt uses) with
# systemd, containerd, runc and the CNI plugins from Debian, our Go-built kubeadm/kubelet/kubectl/crictl, kind's
# own node files (entrypoint, systemd units; copied from the kind Go module by build-kind-tools.sh), a static
# ptp/host-local CNI config instead of kindnet, the host-wide sysctl/binfmt/modules-load units masked, and the
# control-plane images (OCI archives built by the sandbox) imported into containerd under kubeadm's names.
# Usage: DOCKER_HOST=unix://... build-kind-node.sh <k8s-version> <tools-dir> <k8s-bin-dir> <images-file> <tag> <pod-subnet>
#   <images-file>: one "<ref> <oci-archive>" per line; the first line must be the pause image.
set -euo pipefail
K8S="${1:?k8s version}"
TOOLS="${2:?kind tools dir}"
K8SBIN="${3:?k8s binaries dir}"
IMAGES="${4:?images file}"
TAG="${5:?image tag}"
POD_SUBNET="${6:?pod subnet}"
MIRROR="${KIND_NODE_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=systemd,systemd-sysv,dbus,conntrack,iptables,nftables,iproute2,ethtool,socat,util-linux,mount,ebtables,kmod
PACKAGES+=,ca-certificates,containerd,runc,containernetworking-plugins,procps,libseccomp2,pigz,e2fsprogs,bash,jq
START=$SECONDS
WORK="$(mktemp -d)"
BUILDER="paperclip-kind-node-build-$$"
cleanup() {
  docker rm -f "$BUILDER" >/dev/null 2>&1 || true
  docker rmi "$TAG-base" >/dev/null 2>&1 || true
  docker rmi "$TAG-commit" >/dev/null 2>&1 || true
  # debootstrap mounts proc/sys (and binds /dev inside a container) into the target; never rm through a mount.
  awk -v r="$WORK/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
R="$WORK/rootfs"

echo "[1/5] debootstrap bookworm ($MIRROR)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$R" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -20 "$WORK/debootstrap.log"; exit 1; }

echo "[2/5] kind node files, units, binaries"
F="$TOOLS/kind-files"
install -D -m 0755 "$F/usr/local/bin/entrypoint" "$R/usr/local/bin/entrypoint"
mkdir -p "$R/kind/bin" "$R/etc/systemd/system/kubelet.service.d" "$R/etc/containerd" "$R/etc/kubernetes/manifests"
install -m 0755 "$F"/kind/bin/* "$R/kind/bin/"
install -m 0644 "$F"/etc/systemd/system/*.service "$F"/etc/systemd/system/*.slice "$R/etc/systemd/system/"
install -m 0644 "$F"/etc/systemd/system/kubelet.service.d/* "$R/etc/systemd/system/kubelet.service.d/"
install -m 0644 "$F/etc/default/kubelet" "$R/etc/default/kubelet"
install -m 0644 "$F/etc/crictl.yaml" "$R/etc/crictl.yaml"
install -D -m 0644 "$F/LICENSE.kind" "$R/LICENSES/kind-node-files.LICENSE"
PAUSE="$(head -1 "$IMAGES" | cut -d' ' -f1)"
# Debian's containerd 1.6 reads kind's version 2 config; no CAP_SYS_RESOURCE on these machines -> restricted
# oom_score_adj; the sandbox image is kubeadm's pause.
sed -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' \
  -e "s#sandbox_image = .*#sandbox_image = \"$PAUSE\"#" \
  -e '/^\[proxy_plugins\]/,/^  address/d' \
  "$F/etc/containerd/config.toml" >"$R/etc/containerd/config.toml"
ctr oci spec | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const spec = JSON.parse(s);
    spec.hooks = spec.hooks ?? {};
    spec.hooks.createContainer = [...(spec.hooks.createContainer ?? []), { path: "/kind/bin/mount-product-files.sh" }];
    delete spec.process.rlimits;
    process.stdout.write(JSON.stringify(spec, null, 2));
  });' >"$R/etc/containerd/cri-base.json"
ln -sf /usr/bin/containerd "$R/usr/local/bin/containerd"
install -m 0755 "$TOOLS/kubeadm" "$TOOLS/kubectl" "$K8SBIN/kubelet" "$R/usr/bin/"
install -m 0755 "$TOOLS/crictl" "$R/usr/local/bin/crictl"
mkdir -p "$R/opt/cni/bin" "$R/etc/cni/net.d"
for p in host-local loopback ptp portmap; do cp "$R/usr/lib/cni/$p" "$R/opt/cni/bin/$p"; done
cat >"$R/etc/cni/net.d/10-paperclip-kind.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "paperclip-kind",
  "plugins": [
    { "type": "ptp", "ipMasq": true, "mtu": 1500,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_SUBNET" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CNI
echo "v$K8S" >"$R/kind/version"
# What kind's base image does to Debian's systemd: no host-wide units, no udev, no kmsg, kind's services enabled.
rm -f "$R"/lib/systemd/system/multi-user.target.wants/* "$R"/etc/systemd/system/*.wants/* \
  "$R"/lib/systemd/system/local-fs.target.wants/* "$R"/lib/systemd/system/sockets.target.wants/*udev* \
  "$R"/lib/systemd/system/sockets.target.wants/*initctl* "$R"/lib/systemd/system/basic.target.wants/* \
  "$R"/lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service
echo "ReadKMsg=no" >>"$R/etc/systemd/journald.conf"
for u in systemd-sysctl.service systemd-binfmt.service systemd-modules-load.service systemd-udevd.service \
  systemd-udev-trigger.service getty@tty1.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount; do
  ln -sf /dev/null "$R/etc/systemd/system/$u"
done
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
for u in kubelet containerd undo-mount-hacks; do
  ln -sf "/etc/systemd/system/$u.service" "$R/etc/systemd/system/multi-user.target.wants/$u.service"
done
rm -rf "$R/var/cache/apt/archives"/*.deb "$R/var/lib/apt/lists"/*

echo "[3/5] docker import"
tar -C "$R" -c . | docker import -c 'ENV container=docker' - "$TAG-base" >/dev/null

echo "[4/5] control-plane images into the node's containerd"
docker run -d --name "$BUILDER" --privileged --entrypoint /usr/bin/containerd "$TAG-base" >/dev/null
for _ in $(seq 1 50); do docker exec "$BUILDER" ctr version >/dev/null 2>&1 && break; sleep 0.2; done
while read -r ref archive; do
  [[ -n "$ref" ]] || continue
  echo "  - $ref"
  docker exec -i "$BUILDER" ctr -n k8s.io images import --no-unpack --base-name "${ref%:*}" - <"$archive" >/dev/null
done <"$IMAGES"
have="$(docker exec "$BUILDER" ctr -n k8s.io images ls -q)"
while read -r ref _; do
  [[ -z "$ref" ]] || grep -qxF "$ref" <<<"$have" || { echo "missing in the node image: $ref" >&2; exit 1; }
done <"$IMAGES"
docker stop -t 10 "$BUILDER" >/dev/null

echo "[5/5] docker commit $TAG"
docker commit "$BUILDER" "$TAG-commit" >/dev/null
printf 'FROM %s\nENV container=docker\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]\nCMD []\n' \
  "$TAG-commit" | docker build -q -t "$TAG" - >/dev/null
docker rmi "$TAG-commit" >/dev/null
echo "built $TAG in $((SECONDS - START)) s"
