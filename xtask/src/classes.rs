//! ADE20K classes used by the synthetic scenes: canonical WordNet names, class
//! indices and hypernym chains as the release writes them. Some chains are
//! deliberately short or odd, as real ones sometimes are.

/// An ADE20K object class.
#[derive(Clone, Copy, Debug)]
pub struct Class {
    /// Canonical (WordNet-corrected) name, synonyms separated by ", ".
    pub name: &'static str,
    /// Class index: the class value of the object's pixels in the class maps.
    pub name_ndx: u32,
    /// WordNet chain from the class up to `entity`.
    pub hypernym: &'static [&'static str],
}

/// A hypernym chain of a man-made thing: the given links, then the common
/// tail from "artifact, artefact" up to "entity".
macro_rules! artifact_chain {
    ($($link:expr),+ $(,)?) => {
        &[
            $($link,)+
            "artifact, artefact",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ]
    };
}

/// Trash can; small, used for a wholly hidden object.
pub const ASHCAN: Class = Class {
    name: "ashcan, trash can, garbage can, wastebin, ash bin, ash-bin, ashbin, dustbin, trash barrel, trash bin",
    name_ndx: 113,
    hypernym: artifact_chain!["ashcan, trash can, garbage can, wastebin, ash bin, ash-bin, ashbin, dustbin, trash barrel, trash bin", "bin", "container", "instrumentality, instrumentation"],
};

/// Car.
pub const CAR: Class = Class {
    name: "car, auto, automobile, machine, motorcar",
    name_ndx: 401,
    hypernym: artifact_chain![
        "car, auto, automobile, machine, motorcar",
        "motor vehicle, automotive vehicle",
        "self-propelled vehicle",
        "wheeled vehicle",
        "vehicle",
        "conveyance, transport",
        "instrumentality, instrumentation"
    ],
};

/// Door (of a room or of a car).
pub const DOOR: Class = Class {
    name: "door",
    name_ndx: 774,
    hypernym: artifact_chain![
        "door",
        "movable barrier",
        "barrier",
        "obstruction, obstructor, obstructer, impediment, impedimenta",
        "structure, construction"
    ],
};

/// Floor.
pub const FLOOR: Class = Class {
    name: "floor, flooring",
    name_ndx: 976,
    hypernym: artifact_chain!["floor, flooring", "horizontal surface, level", "surface"],
};

/// Handle; its chain stops at the class itself.
pub const HANDLE: Class = Class {
    name: "handle, grip, handgrip, hold",
    name_ndx: 1180,
    hypernym: &["handle, grip, handgrip, hold"],
};

/// Hinge.
pub const HINGE: Class = Class {
    name: "hinge, flexible joint",
    name_ndx: 1195,
    hypernym: artifact_chain![
        "hinge, flexible joint",
        "joint",
        "junction, conjunction",
        "connection, connexion, connector, connecter, connective",
        "instrumentality, instrumentation"
    ],
};

/// Person.
pub const PERSON: Class = Class {
    name: "person, individual, someone, somebody, mortal, soul",
    name_ndx: 1831,
    hypernym: &[
        "person, individual, someone, somebody, mortal, soul",
        "organism, being",
        "living thing, animate thing",
        "whole, unit",
        "object, physical object",
        "physical entity",
        "entity",
    ],
};

/// Plant, the living thing. Shares its first synonym with [`PLANT_WORKS`].
pub const PLANT_FLORA: Class = Class {
    name: "plant, flora, plant life",
    name_ndx: 1910,
    hypernym: &[
        "plant, flora, plant life",
        "organism, being",
        "living thing, animate thing",
        "whole, unit",
        "object, physical object",
        "physical entity",
        "entity",
    ],
};

/// Plant, the factory. Shares its first synonym with [`PLANT_FLORA`].
pub const PLANT_WORKS: Class = Class {
    name: "plant, works, industrial plant",
    name_ndx: 1911,
    hypernym: artifact_chain![
        "plant, works, industrial plant",
        "building complex, complex",
        "structure, construction"
    ],
};

/// Flowerpot; an odd chain that repeats itself and skips most links.
pub const POT: Class = Class {
    name: "pot, flowerpot",
    name_ndx: 1963,
    hypernym: &["pot, flowerpot", "container", "pot", "entity"],
};

/// Road.
pub const ROAD: Class = Class {
    name: "road, route",
    name_ndx: 2097,
    hypernym: artifact_chain!["road, route", "way"],
};

/// Signboard.
pub const SIGNBOARD: Class = Class {
    name: "signboard, sign",
    name_ndx: 2262,
    hypernym: artifact_chain!["signboard, sign", "board", "sheet, flat solid"],
};

/// Sky.
pub const SKY: Class = Class {
    name: "sky",
    name_ndx: 2420,
    hypernym: &[
        "sky",
        "atmosphere",
        "gas",
        "fluid",
        "matter",
        "physical entity",
        "entity",
    ],
};

/// Tree.
pub const TREE: Class = Class {
    name: "tree",
    name_ndx: 2855,
    hypernym: &[
        "tree",
        "woody plant, ligneous plant",
        "vascular plant, tracheophyte",
        "plant, flora, plant life",
        "organism, being",
        "living thing, animate thing",
        "whole, unit",
        "object, physical object",
        "physical entity",
        "entity",
    ],
};

/// Wall.
pub const WALL: Class = Class {
    name: "wall",
    name_ndx: 2978,
    hypernym: artifact_chain!["wall", "partition, divider", "structure, construction"],
};

/// Wheel.
pub const WHEEL: Class = Class {
    name: "wheel",
    name_ndx: 3054,
    hypernym: artifact_chain![
        "wheel",
        "simple machine",
        "machine",
        "device",
        "instrumentality, instrumentation"
    ],
};

/// Window (of a car).
pub const WINDOW: Class = Class {
    name: "window",
    name_ndx: 3055,
    hypernym: artifact_chain![
        "window",
        "framework",
        "supporting structure",
        "structure, construction"
    ],
};

/// Windowpane: the glass of a window.
pub const WINDOWPANE: Class = Class {
    name: "windowpane, window",
    name_ndx: 3057,
    hypernym: &[
        "windowpane, window",
        "pane, pane of glass, window glass",
        "plate glass, sheet glass",
        "glass",
        "material, stuff",
        "substance",
        "matter",
        "physical entity",
        "entity",
    ],
};
