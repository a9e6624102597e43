// Opt-in Pi tuning: the boot-file edits run for real (sh) on a copy of a Raspberry Pi OS boot
// partition's two files; the tuning of a whole stack is checked on the program's mocks.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tuningLeft, tuningNeeds, tuningScript } from "../../hosts/tuning";
import { HostFacts } from "../../hosts/facts";

// One line, as Raspberry Pi OS ships it (its firmware adds cgroup_disable=memory on some releases).
const CMDLINE =
    "console=serial0,115200 console=tty1 root=PARTUUID=4a7b8c9d-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_disable=memory quiet splash\n";
const CONFIG =
    "# For more options and information see\n# http://rptl.io/configtxt\ndtparam=audio=on\ncamera_auto_detect=1\n\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n";

const boot = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boot-firmware-"));
    fs.writeFileSync(path.join(dir, "cmdline.txt"), CMDLINE);
    fs.writeFileSync(path.join(dir, "config.txt"), CONFIG);
    return dir;
};
const runScript = (script: string) => execFileSync("sh", ["-c", script], { encoding: "utf8" });

describe("piTuning's boot-file edits", () => {
    it("switches the memory cgroup on in the one command line, once", () => {
        const dir = boot();
        expect(runScript(tuningScript({ memoryCgroup: true, fourKiBPages: false }, dir))).toBe("changed=1\n");
        const line = fs.readFileSync(path.join(dir, "cmdline.txt"), "utf8");
        expect(line.split("\n").filter(Boolean)).toHaveLength(1);
        expect(line).toBe(
            "console=serial0,115200 console=tty1 root=PARTUUID=4a7b8c9d-02 rootfstype=ext4 fsck.repair=yes rootwait quiet splash cgroup_enable=memory cgroup_memory=1\n",
        );
        expect(fs.readFileSync(path.join(dir, "config.txt"), "utf8")).toBe(CONFIG);
        // A second run changes nothing.
        expect(runScript(tuningScript({ memoryCgroup: true, fourKiBPages: false }, dir))).toBe("changed=0\n");
        expect(fs.readFileSync(path.join(dir, "cmdline.txt"), "utf8")).toBe(line);
    });

    it("boots the 4 KiB-page kernel for every model, once", () => {
        const dir = boot();
        expect(runScript(tuningScript({ memoryCgroup: false, fourKiBPages: true }, dir))).toBe("changed=1\n");
        const config = fs.readFileSync(path.join(dir, "config.txt"), "utf8");
        expect(config.startsWith(CONFIG)).toBe(true);
        expect(config.endsWith("[all]\nkernel=kernel8.img\n")).toBe(true);
        expect(runScript(tuningScript({ memoryCgroup: false, fourKiBPages: true }, dir))).toBe("changed=0\n");
        expect(fs.readFileSync(path.join(dir, "config.txt"), "utf8")).toBe(config);
    });

    it("stops where the boot files are not Raspberry Pi OS's", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "not-a-pi-"));
        expect(() =>
            execFileSync("sh", ["-c", tuningScript({ memoryCgroup: true, fourKiBPages: false }, dir)], {
                stdio: "pipe",
            }),
        ).toThrow(/not Raspberry Pi OS Bookworm or later/);
    });

    it("needs what the facts lack, and says what did not take effect", () => {
        const f = { memoryCgroup: false, dockerMemoryLimit: null, pageSizeBytes: 16384 } as HostFacts;
        expect(tuningNeeds(f)).toEqual({ memoryCgroup: true, fourKiBPages: true });
        expect(tuningNeeds({ ...f, memoryCgroup: true, pageSizeBytes: 4096 })).toEqual({
            memoryCgroup: false,
            fourKiBPages: false,
        });
        expect(tuningLeft("b1pc11", f)).toEqual([
            expect.stringMatching(/^b1pc11: piTuning did not take effect: the memory cgroup is still off/),
            expect.stringMatching(/^b1pc11: piTuning did not take effect: the kernel still has 16384-byte pages/),
        ]);
    });
});
