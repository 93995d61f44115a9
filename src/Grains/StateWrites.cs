namespace HuaduDispatch.Grains;

public static class StateWrites
{
    /// <summary>
    /// Writes the grain's state; when the write fails, the activation is dropped (then the exception goes on), so the next call
    /// starts again from the stored state: a change the caller was told failed is never stored later by another change, nor
    /// mistaken for one already stored when the caller retries it.
    /// </summary>
    public static async Task WriteOrRestartAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
