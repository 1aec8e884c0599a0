import { describe, expect, it } from "vitest";
import { errorsOf, imageErrors, parseImages, validImages } from "./test-support.js";

describe("names across images", () => {
  it("refuses duplicate names, between images and artifacts too", () => {
    expect(imageErrors("image: a\nfrom: x\n---\nimage: a\nfrom: y\n")).toEqual([
      'stages.yaml:7:8: "a" is declared twice (first as an image at stages.yaml:4:8) (images and artifacts need distinct names; rename one of them)',
    ]);
    expect(imageErrors("image: a\nfrom: x\n---\nartifact: a\nfrom: y\n")).toEqual([
      'stages.yaml:7:11: "a" is declared twice (first as an image at stages.yaml:4:8) (images and artifacts need distinct names; rename one of them)',
    ]);
    expect(imageErrors("image: [a, b, a]\nfrom: x\n")).toEqual([
      'stages.yaml:4:15: "a" is declared twice (first as an image at stages.yaml:4:9) (images and artifacts need distinct names; rename one of them)',
    ]);
  });

  it("allows the nameless image alone, artifacts aside", () => {
    const images = validImages(
      parseImages(
        "image: ~\nfrom: x\nimport:\n- artifact: t\n  add: /t\n  after: install\n---\nartifact: t\nfrom: y\n",
      ),
    );
    expect(images.map((image) => image.name)).toEqual([null, "t"]);
  });

  it("refuses the nameless image next to another image", () => {
    expect(imageErrors("image: ~\nfrom: x\n---\nimage: b\nfrom: y\n")).toEqual([
      "stages.yaml:4:1: the nameless image is allowed only when it is the only final image (there are 2) (give it a name: image: <name>, or mark the others final: false)",
    ]);
    expect(imageErrors("image:\nfrom: x\n---\nimage:\nfrom: y\n")).toHaveLength(2);
  });

  it("allows the nameless image next to images with final: false, as werf does", () => {
    const images = validImages(
      parseImages(
        "image: ~\nfromImage: base\n---\nimage: base\nfrom: alpine\nfinal: false\n---\nimage: b2\nfrom: y\nfinal: false\n",
      ),
    );
    expect(images.map((image) => [image.name, image.final])).toEqual([
      [null, true],
      ["base", false],
      ["b2", false],
    ]);
    // As in werf, a nameless image with final: false still conflicts with two final images.
    expect(imageErrors("image: ~\nfrom: x\nfinal: false\n---\nimage: a\nfrom: y\n---\nimage: b\nfrom: y\n")).toEqual([
      "stages.yaml:4:1: the nameless image is allowed only when it is the only final image (there are 2) (give it a name: image: <name>, or mark the others final: false)",
    ]);
  });

  it("refuses names that differ only in case: their Docker names would be the same", () => {
    expect(imageErrors("image: App\nfrom: x\n---\nimage: app\nfrom: y\n")).toEqual([
      'stages.yaml:7:8: "app" differs from "App" (at stages.yaml:4:8) only in case, and image names become lower-case Docker names (images and artifacts need distinct names; rename one of them)',
    ]);
  });
});

describe("references", () => {
  const tools = "---\nartifact: tools\nfrom: alpine\n";

  it("requires fromImage and fromArtifact to exist, with a suggestion", () => {
    expect(imageErrors("image: base\nfrom: x\n---\nimage: app\nfromImage: bse\n")).toEqual([
      'stages.yaml:8:12: fromImage: no image named "bse" (did you mean "base"?)',
    ]);
    expect(imageErrors("image: app\nfromArtifact: nothing\n")).toEqual([
      'stages.yaml:5:15: fromArtifact: no artifact named "nothing" (declare it in a document of its own: artifact: nothing)',
    ]);
  });

  it("tells fromImage from fromArtifact, as werf does", () => {
    expect(imageErrors(`image: app\nfromImage: tools\n${tools}`)).toEqual([
      'stages.yaml:5:12: fromImage: "tools" is an artifact, not an image (use fromArtifact: tools)',
    ]);
    expect(imageErrors("image: base\nfrom: x\n---\nimage: app\nfromArtifact: base\n")).toEqual([
      'stages.yaml:8:15: fromArtifact: "base" is an image, not an artifact (use fromImage: base)',
    ]);
  });

  it("tells import image: from import artifact:", () => {
    expect(imageErrors(`image: app\nfrom: x\nimport:\n- image: tools\n  add: /t\n  after: install\n${tools}`)).toEqual([
      'stages.yaml:7:10: import: "tools" is an artifact, not an image (use artifact: tools)',
    ]);
    expect(
      imageErrors(`image: app\nfrom: x\nimport:\n- artifact: tool\n  add: /t\n  after: install\n${tools}`),
    ).toEqual(['stages.yaml:7:13: import: no artifact named "tool" (did you mean "tools"?)']);
  });

  it("refuses an image that is its own base or import source", () => {
    expect(imageErrors("image: app\nfromImage: app\n")).toEqual([
      'stages.yaml:5:12: image "app" cannot use itself as its base (name another image, or use from: <image reference>)',
    ]);
    expect(imageErrors("image: app\nfrom: x\nimport:\n- image: app\n  add: /t\n  after: setup\n")).toEqual([
      'stages.yaml:7:10: image "app" cannot import from itself (import from another image or artifact)',
    ]);
  });

  it("accepts a chain of images and artifacts", () => {
    const images = validImages(
      parseImages(
        "artifact: build\nfrom: golang\n---\nimage: base\nfromArtifact: build\n---\nimage: app\nfromImage: base\nimport:\n- artifact: build\n  add: /out\n  after: install\n",
      ),
    );
    expect(images.map((image) => image.name)).toEqual(["build", "base", "app"]);
  });
});

describe("cycles", () => {
  it("names a cycle through fromImage", () => {
    expect(imageErrors("image: a\nfromImage: b\n---\nimage: b\nfromImage: a\n")).toEqual([
      "stages.yaml:8:12: dependency cycle: a -> b -> a (an image cannot depend on itself through fromImage, fromArtifact, import or dependencies)",
    ]);
  });

  it("names a cycle through imports and artifacts, once", () => {
    const result = parseImages(
      "image: a\nfrom: x\nimport:\n- artifact: b\n  add: /b\n  after: install\n---\nartifact: b\nfromArtifact: c\n---\nartifact: c\nfrom: y\nimport:\n- image: a\n  add: /a\n  before: setup\n",
    );
    expect(errorsOf(result)).toEqual([
      "stages.yaml:17:10: dependency cycle: a -> b -> c -> a (an image cannot depend on itself through fromImage, fromArtifact, import or dependencies)",
    ]);
  });

  it("reports distinct cycles apart", () => {
    const errors = imageErrors(
      "image: a\nfromImage: b\n---\nimage: b\nfromImage: a\n---\nimage: c\nfromImage: d\n---\nimage: d\nfromImage: c\n",
    );
    expect(errors.map((line) => line.replace(/ \(.*$/, ""))).toEqual([
      "stages.yaml:8:12: dependency cycle: a -> b -> a",
      "stages.yaml:14:12: dependency cycle: c -> d -> c",
    ]);
  });
});
