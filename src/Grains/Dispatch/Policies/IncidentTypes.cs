using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>Facts about incident types (突发事件类型) that the grading and the response plans need.</summary>
public static class IncidentTypes
{
    /// <summary>
    /// The national category (自然灾害、事故灾难、公共卫生事件、社会安全事件) an incident type belongs to; the category picks the
    /// grading criteria of <see cref="ResponseLevelPolicy"/>.
    /// </summary>
    public static IncidentCategory CategoryOf(IncidentType type) => type switch
    {
        IncidentType.Typhoon or IncidentType.Rainstorm or IncidentType.Waterlogging or IncidentType.Flood or IncidentType.Landslide
            or IncidentType.GroundCollapse or IncidentType.ForestFire => IncidentCategory.NaturalDisaster,

        IncidentType.BuildingFire or IncidentType.IndustrialFire or IncidentType.HazmatLeak or IncidentType.GasLeak
            or IncidentType.RoadTrafficAccident or IncidentType.ConstructionAccident or IncidentType.ConfinedSpace
            => IncidentCategory.AccidentDisaster,

        // WaterRescue is a person in the water (drowning, a car in a river or pond): an accident, not a hydrological event. When
        // a flood or a rainstorm puts people in the water the incident is typed Flood/Rainstorm and graded as a natural disaster.
        // Other is an incident not yet classified. It is graded as an accident because the production-safety grading is the
        // one statutory numeric grading we have and the comprehensive fire and rescue force answers such calls; the dispatcher
        // retypes the incident once its nature is known, and the level is re-graded.
        IncidentType.WaterRescue or IncidentType.Other => IncidentCategory.AccidentDisaster,

        IncidentType.PublicHealth => IncidentCategory.PublicHealth,

        IncidentType.MassGathering or IncidentType.SocialSafety => IncidentCategory.SocialSafety,

        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown incident type"),
    };
}
