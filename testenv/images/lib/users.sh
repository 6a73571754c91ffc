# shellcheck shell=bash
# Sourced by image recipes (customize.sh).

# give_ids ROOT USER ID: USER and its group get uid and gid ID inside the image (the
# official images' ids, which the charts' runAsUser and fsGroup use), and every file they
# owned follows. Fails when another user or group already has ID.
give_ids() {
	local root=$1 user=$2 id=$3 old_uid old_gid
	old_uid=$(chroot "$root" id -u "$user")
	old_gid=$(chroot "$root" id -g "$user")
	[ "$old_uid" != "$id" ] || [ "$old_gid" != "$id" ] || return 0
	if chroot "$root" getent passwd "$id" >/dev/null || chroot "$root" getent group "$id" >/dev/null; then
		echo "customize: uid or gid $id is taken in the image" >&2
		return 1
	fi
	chroot "$root" groupmod -g "$id" "$user"
	chroot "$root" usermod -u "$id" -g "$id" "$user"
	find "$root" -xdev \( -uid "$old_uid" -o -gid "$old_gid" \) -print0 |
		while IFS= read -r -d '' path; do
			uid=$(stat -c %u "$path")
			gid=$(stat -c %g "$path")
			[ "$uid" = "$old_uid" ] && uid=$id
			[ "$gid" = "$old_gid" ] && gid=$id
			chown -h "$uid:$gid" "$path"
		done
}
